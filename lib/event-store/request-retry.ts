import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { WriteOutcomeUnknownError } from '../errors/write-outcome-unknown.error.js';
import { classifyWriteError } from './dynamo-errors.js';
import { backoffDelay, sleep, type RetryOptions } from './retry-policy.js';
import { noteRetry } from '../telemetry/active-operation.js';

/** One DynamoDB request the module retries on its own, on top of the SDK's retries. */
export interface RetriedRequest {
  /** What is being done, for error messages: `Snapshot save of stream "a-1"`. */
  readonly operation: string;
  readonly retry: Required<RetryOptions>;
  /**
   * `'read'`: a request that changes nothing, so a missing answer only means trying again.
   * `'idempotent-write'`: a write that may be applied twice with the same result; when no answer
   * came even after the retries, its outcome is unknown and a `WriteOutcomeUnknownError` says so.
   */
  readonly kind: 'read' | 'idempotent-write';
  /** What the caller can do once retries run out. */
  readonly advice: string;
}

/**
 * Runs one request, retrying with the module's backoff what DynamoDB or the network may answer
 * differently next time: throttling, transaction conflicts, 5xx answers, timeouts and dropped
 * connections. Anything else (a failed condition, a validation error) is thrown as it is.
 */
export async function withRetries<T>(request: RetriedRequest, send: () => Promise<T>): Promise<T> {
  let unanswered = false; // some attempt may have been applied without us hearing of it
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const failure = classifyWriteError(error);
      if (failure.kind !== 'transient' && failure.kind !== 'unknown') throw error;
      if (failure.kind === 'unknown') unanswered = true;
      if (attempt >= request.retry.maxAttempts) {
        if (unanswered && request.kind === 'idempotent-write') {
          throw new WriteOutcomeUnknownError(request.operation, attempt, failure.name, request.advice, { cause: error });
        }
        throw new RetriesExhaustedError(request.operation, attempt, failure.name, { cause: error, advice: request.advice });
      }
      noteRetry(failure.name); // for the span and the retries counter, when OpenTelemetry records
      await sleep(backoffDelay(attempt, request.retry));
    }
  }
}
