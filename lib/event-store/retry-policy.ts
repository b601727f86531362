/** How appends retry DynamoDB's transient answers (throttling, transaction conflicts). */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 8. */
  maxAttempts?: number;
  /** Upper bound of the first backoff, in ms; it doubles on each retry. Default 25. */
  baseDelayMs?: number;
  /** Cap of any one backoff, in ms. Default 2000. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { maxAttempts: 8, baseDelayMs: 25, maxDelayMs: 2000 };

/**
 * Exponential backoff with full jitter: the wait before retry n is uniform in
 * [0, min(maxDelayMs, baseDelayMs * 2^(n-1))], which spreads competing writers apart.
 */
export function backoffDelay(retry: number, options: Required<RetryOptions>, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
