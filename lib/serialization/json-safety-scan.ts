import { classifyObject, FIELDS, MAX_JSON_DEPTH, VALID_DATE, type JsonTarget } from './json-value-kinds.js';

/** The value holds something JSON cannot bring back: {@link inspectJson} says what and where. */
export const UNSAFE = 1;
/** The value holds at least one Date (only reported for event payloads, where Dates are kept). */
export const HAS_DATE = 2;
/** The value holds a -0, which `JSON.stringify` writes as 0. */
export const HAS_NEGATIVE_ZERO = 4;

/**
 * The quick check every append and snapshot save runs before `JSON.stringify`: one pass over the
 * value with an explicit stack (so no depth can overflow the call stack), no paths, no allocation
 * per value. Cycles need no bookkeeping: a cycle nests without end, so it trips the depth limit.
 * Returns {@link UNSAFE} at the first problem (the slower {@link inspectJson} then names it), else
 * the flags of what the encoder must take care of.
 */
export function scanJson(root: unknown, target: JsonTarget): number {
  if (root === null || typeof root !== 'object') {
    // A bare undefined, function or symbol gives JSON.stringify nothing to write: as unsafe as in an array.
    if (root === undefined || typeof root === 'function' || typeof root === 'symbol' || typeof root === 'bigint') return UNSAFE;
    if (typeof root === 'number') return !Number.isFinite(root) ? UNSAFE : root === 0 && 1 / root < 0 ? HAS_NEGATIVE_ZERO : 0;
    return 0;
  }
  let flags = 0;
  const stack: object[] = [root];
  const depths: number[] = [1];
  let top = 1;
  while (top > 0) {
    const value = stack[--top]!;
    const depth = depths[top]!;
    if (depth > MAX_JSON_DEPTH) return UNSAFE;
    const prototype = Object.getPrototypeOf(value) as object | null;
    let isArray = prototype === Array.prototype;
    if (!isArray && prototype !== Object.prototype && prototype !== null) {
      const kind = classifyObject(value, prototype, target);
      if (kind === VALID_DATE) {
        flags |= HAS_DATE;
        continue;
      }
      if (kind !== FIELDS) return UNSAFE;
      isArray = Array.isArray(value); // an Array subclass: JSON writes its elements
    }
    if (isArray) {
      const array = value as unknown[];
      for (let i = 0; i < array.length; i++) {
        const item = array[i];
        switch (typeof item) {
          case 'string':
          case 'boolean':
            break;
          case 'number':
            if (!Number.isFinite(item)) return UNSAFE;
            if (item === 0 && 1 / item < 0) flags |= HAS_NEGATIVE_ZERO;
            break;
          case 'object':
            if (item !== null) {
              stack[top] = item;
              depths[top++] = depth + 1;
            }
            break;
          default:
            return UNSAFE; // undefined (a hole too) becomes null; bigint, function, symbol
        }
      }
    } else {
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record); // own enumerable string keys: exactly what JSON.stringify writes
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k]!;
        if (key === '__proto__') return UNSAFE;
        const item = record[key];
        switch (typeof item) {
          case 'string':
          case 'boolean':
          case 'undefined': // JSON leaves the key out: documented
            break;
          case 'number':
            if (!Number.isFinite(item)) return UNSAFE;
            if (item === 0 && 1 / item < 0) flags |= HAS_NEGATIVE_ZERO;
            break;
          case 'object':
            if (item !== null) {
              stack[top] = item;
              depths[top++] = depth + 1;
            }
            break;
          default:
            return UNSAFE;
        }
      }
    }
  }
  return flags;
}
