import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Names of DynamoDB errors that mean "try again later", not "no". */
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  // DynamoDB Streams' answer to too many GetRecords/GetShardIterator calls on a shard.
  'LimitExceededException',
]);
const TRANSIENT_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
/** Errors after which a request may or may not have been applied: it was (or may have been) sent, and no answer came. */
// TransactionInProgressException: an earlier attempt with the same token is still being applied, so may land.
const NO_ANSWER_ERRORS = new Set(['TransactionInProgressException', 'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException']);
const NO_ANSWER_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_HTTP2_STREAM_ERROR', 'ERR_STREAM_PREMATURE_CLOSE']);
/** Network errors that mean the request never left: worth retrying, and certainly not applied. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

interface CancellationReason {
  Code?: string;
  Item?: Record<string, AttributeValue>;
}

/** What a failed write means for an append. */
export type WriteFailure =
  /** An item already holds the key: the existing item, when DynamoDB returned it. */
  | { kind: 'conflict'; existing?: Record<string, AttributeValue> }
  /** Worth retrying after a backoff; the request was not applied. */
  | { kind: 'transient'; name: string }
  /** Worth retrying after a backoff, but the request may have been applied: no answer came (timeout, reset, 5xx). */
  | { kind: 'unknown'; name: string }
  /** The same ClientRequestToken was used within 10 minutes for a different request. */
  | { kind: 'token-reused' }
  | { kind: 'other' };

export function classifyWriteError(error: unknown): WriteFailure {
  const name = (error as { name?: string })?.name ?? '';
  if (name === 'ConditionalCheckFailedException') {
    return { kind: 'conflict', existing: (error as { Item?: Record<string, AttributeValue> }).Item };
  }
  if (name === 'TransactionCanceledException') {
    const reasons: CancellationReason[] = (error as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
    const conditional = reasons.find((r) => r.Code === 'ConditionalCheckFailed');
    // The first item's key is the one competing writers fight over; report its holder.
    if (conditional !== undefined) return { kind: 'conflict', existing: reasons[0]?.Item ?? conditional.Item };
    const transient = reasons.find((r) => r.Code !== undefined && TRANSIENT_REASONS.has(r.Code));
    if (transient !== undefined && reasons.every((r) => r.Code === 'None' || TRANSIENT_REASONS.has(r.Code ?? ''))) {
      return { kind: 'transient', name: `TransactionCanceledException(${transient.Code})` };
    }
    return { kind: 'other' };
  }
  if (name === 'IdempotentParameterMismatchException') return { kind: 'token-reused' };
  if (TRANSIENT_ERRORS.has(name)) return { kind: 'transient', name };
  const { code, $fault, $metadata } = error as { code?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const described = code === undefined || code === name ? name : `${name} (${code})`;
  if (code !== undefined && NOT_SENT_CODES.has(code)) return { kind: 'transient', name: described };
  const status = $metadata?.httpStatusCode;
  if (NO_ANSWER_ERRORS.has(name) || (code !== undefined && NO_ANSWER_CODES.has(code)) || $fault === 'server' || (status !== undefined && status >= 500)) {
    return { kind: 'unknown', name: described };
  }
  return { kind: 'other' };
}
