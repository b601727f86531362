/** DynamoDB gave no answer within the health check's `timeoutMs`. */
export class NoAnswerInTimeError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
    this.name = 'NoAnswerInTimeError';
  }
}

/**
 * Settles as `promise` does, or rejects with {@link NoAnswerInTimeError} after `timeoutMs` (calling
 * `onTimeout`, to abort the request): a health check must answer even when DynamoDB does not.
 */
export async function withinTime<T>(promise: Promise<T>, timeoutMs: number, onTimeout?: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout?.();
      reject(new NoAnswerInTimeError(timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
