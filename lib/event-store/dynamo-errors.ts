import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** Names of DynamoDB errors that mean "try again later", not "no". */
const TRANSIENT_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TransactionConflictException',
  'TransactionInProgressException',
]);
const TRANSIENT_REASONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

interface CancellationReason {
  Code?: string;
  Item?: Record<string, AttributeValue>;
}

/** What a failed write means for an append. */
export type WriteFailure =
  /** An item already holds the key: the existing item, when DynamoDB returned it. */
  | { kind: 'conflict'; existing?: Record<string, AttributeValue> }
  /** Worth retrying after a backoff. */
  | { kind: 'transient'; name: string }
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
  return { kind: 'other' };
}
