import { describeValue } from '../errors/describe-value.js';

/**
 * Shape checks shared by every public entry point's input checks (append, read, replay, feed,
 * snapshots, rebuild, module options): whether an argument is an options object with known keys,
 * a revoked Proxy, or a string DynamoDB cannot store as it is.
 */

/**
 * Whether `value` is a revoked Proxy: every operation on one throws a TypeError of the engine's
 * own, so it must be recognized before anything touches it. `Array.isArray` runs no trap of a
 * live Proxy and throws only for a revoked one.
 */
export function isRevokedProxy(value: unknown): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

/** `Array.isArray`, false for a revoked Proxy instead of throwing. */
export function isArraySafely(value: unknown): value is unknown[] {
  return !isRevokedProxy(value) && Array.isArray(value);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a string holds a lone surrogate: UTF-16 with no UTF-8 form. DynamoDB keys are UTF-8, and
 * DynamoDB Local maps every such string onto the same key ("a\uD800" and "a\uDBFF" are one stream
 * there), so ids holding one are refused. JSON payloads are not affected: JSON.stringify escapes them.
 */
export function hasLoneSurrogate(value: string): boolean {
  return LONE_SURROGATE.test(value);
}

/** How a message shows an argument: {@link describeValue}, plus what kind of object it is. */
export function describeArgument(value: unknown): string {
  if (isRevokedProxy(value)) return 'a revoked Proxy';
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== null && prototype !== Object.prototype) {
      const name = (prototype as { constructor?: { name?: unknown } }).constructor?.name;
      if (typeof name === 'string' && name.length > 0) return `an instance of ${name}`;
    }
  }
  return describeValue(value);
}

/** Whether `value` is a plain object: made by `{}` or `Object.create(null)`, not an instance of a class. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || isRevokedProxy(value) || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Checks that an options argument is an object (not null, an array, a function or a revoked Proxy)
 * whose own keys are all known: a misspelt key (`form` for `from`) would otherwise be ignored
 * without a word. Reads only the keys, so getters run later, once, where the values are used.
 *
 * @param what the options as messages name them, e.g. `read options`.
 * @param example a short valid example for the message, e.g. `{ fromVersion: 1 }`.
 * @param fail builds the error to throw (the caller's typed error and code).
 */
export function assertOptionsObject<T>(
  options: T,
  what: string,
  known: readonly string[],
  example: string,
  fail: (message: string) => Error,
): asserts options is T & object {
  if (options === null || typeof options !== 'object' || isRevokedProxy(options) || Array.isArray(options)) {
    throw fail(`${what} must be an object such as ${example}; got ${describeArgument(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw fail(`${what} have no option "${key}" (known: ${known.join(', ')}).`);
  }
}
