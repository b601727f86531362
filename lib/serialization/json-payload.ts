import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';

/** Built-ins whose JSON form silently loses their content. */
const LOSSY_OBJECTS: Array<[Function, string]> = [
  [Map, 'a Map (JSON turns it into {})'],
  [Set, 'a Set (JSON turns it into {})'],
  [WeakMap, 'a WeakMap'],
  [WeakSet, 'a WeakSet'],
  [RegExp, 'a RegExp (JSON turns it into {})'],
  [Promise, 'a Promise'],
];

class Rejected extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Serializes an event payload to JSON, refusing anything JSON would drop or corrupt on the way
 * back: BigInt, functions, symbols, NaN and Infinity, undefined in arrays, Maps and Sets, cycles.
 * Checking inside JSON.stringify's replacer costs one pass instead of a separate walk.
 */
export function toJsonPayload(eventType: string, payload: object): string {
  // The replacer sees each key but not the path to it; track parents to name where the problem is.
  const paths = new WeakMap<object, string>();
  paths.set(payload, '$');
  function replacer(this: unknown, key: string, value: unknown): unknown {
    const parentPath = key === '' ? '' : (paths.get(this as object) ?? '$');
    const path = key === '' ? '$' : Array.isArray(this) ? `${parentPath}[${key}]` : `${parentPath}.${key}`;
    switch (typeof value) {
      case 'bigint':
        throw new Rejected(path, 'a BigInt (store it as a string)');
      case 'function':
        throw new Rejected(path, 'a function');
      case 'symbol':
        throw new Rejected(path, 'a symbol');
      case 'undefined':
        if (Array.isArray(this)) throw new Rejected(path, 'undefined inside an array (JSON turns it into null)');
        return value;
      case 'number':
        if (!Number.isFinite(value)) throw new Rejected(path, `${value} (JSON turns it into null)`);
        return value;
      case 'object':
        if (value === null) return value;
        for (const [type, reason] of LOSSY_OBJECTS) if (value instanceof type) throw new Rejected(path, reason);
        if (ArrayBuffer.isView(value)) throw new Rejected(path, 'a typed array (store it as base64)');
        if (key !== '') paths.set(value, path);
        return value;
      default:
        return value;
    }
  }
  try {
    return JSON.stringify(payload, replacer);
  } catch (error) {
    if (error instanceof Rejected) throw new EventNotSerializableError(eventType, error.path, error.reason);
    if (error instanceof TypeError && /circular/i.test(error.message)) {
      throw new EventNotSerializableError(eventType, '$', 'circular (an object refers back to itself)', { cause: error });
    }
    throw new EventNotSerializableError(eventType, '$', `not serializable (${(error as Error).message})`, {
      cause: error,
    });
  }
}
