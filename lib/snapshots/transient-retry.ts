import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { classifyWriteError } from '../event-store/dynamo-errors.js';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';

const ADVICE = 'A snapshot is visible only once all its items are written, so saving again is safe; a failed load can be retried.';

/**
 * Runs one DynamoDB request, retrying throttling with the module's backoff (on top of the SDK's
 * own retries, as appends do). Any other error is thrown as it is.
 */
export async function withTransientRetries<T>(
  operation: string,
  retry: Required<RetryOptions>,
  request: () => Promise<T>,
  /** What the caller can do once retries run out; by default, the advice for snapshots. */
  advice = ADVICE,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      const failure = classifyWriteError(error);
      if (failure.kind !== 'transient') throw error;
      if (attempt >= retry.maxAttempts) throw new RetriesExhaustedError(operation, attempt, failure.name, { cause: error, advice });
      await sleep(backoffDelay(attempt, retry));
    }
  }
}
