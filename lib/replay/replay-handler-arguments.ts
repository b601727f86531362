import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { isRevokedProxy } from '../event-store/argument-shape.js';

const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_READ_OPTIONS, message);

/**
 * Checks the handler of `replay()` / `replayAll()`.
 * @throws InvalidArgumentError (INVALID_READ_OPTIONS)
 */
export function assertReplayHandler(handler: unknown, method: string): asserts handler is (event: never) => unknown {
  if (typeof handler !== 'function') {
    throw invalid(`${method} needs a handler function, called with each event's envelope; got ${describeValue(handler)}.`);
  }
}

/**
 * Takes the `signal` out of the options of `replay()` / `replayAll()`, checked, and leaves the rest
 * for the Observable form's own checks (which then report a non-object, or an unknown key).
 * @throws InvalidArgumentError (INVALID_READ_OPTIONS) when `signal` is not an AbortSignal.
 */
export function takeSignal<TOptions extends object>(options: TOptions & { signal?: AbortSignal }): { signal?: AbortSignal; rest: TOptions } {
  if (options === null || typeof options !== 'object' || isRevokedProxy(options) || Array.isArray(options)) return { rest: options };
  const { signal, ...rest } = options; // one read of each option: getters do not run twice
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw invalid(`signal must be an AbortSignal (from an AbortController); got ${describeValue(signal)}.`);
  }
  return { signal, rest: rest as TOptions };
}
