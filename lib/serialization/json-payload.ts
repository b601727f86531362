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

/**
 * Serializes an event payload to JSON, refusing anything JSON would drop or corrupt on the way
 * back: BigInt, functions, symbols, NaN and Infinity, undefined in arrays, Maps and Sets, cycles.
 * A quick walk checks the payload first (it runs on every append); only a rejected payload pays
 * for a second pass that finds the path to name in the error.
 */
export function toJsonPayload(eventType: string, payload: object): string {
  if (!isJsonSafe(payload, [])) {
    const problem = findProblem(payload, '$', []);
    if (problem !== undefined) throw new EventNotSerializableError(eventType, problem.path, problem.reason);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (error) {
    // A toJSON() that throws or returns something unserializable.
    throw new EventNotSerializableError(eventType, '$', `not serializable (${(error as Error).message})`, { cause: error });
  }
  // A toJSON() returning undefined or a function: JSON has nothing to store.
  if (typeof json !== 'string') throw new EventNotSerializableError(eventType, '$', 'serialized to nothing by its toJSON()');
  return json;
}

function isJsonSafe(value: unknown, ancestors: object[]): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true; // Dates and the like: JSON takes their own form
      if (!isPlainContainer(value) || ancestors.includes(value)) return false;
      ancestors.push(value);
      let safe = true;
      if (Array.isArray(value)) {
        for (const element of value) if (element === undefined || !isJsonSafe(element, ancestors)) safe = false;
      } else {
        for (const key in value) {
          if (!Object.hasOwn(value, key)) continue; // JSON.stringify skips inherited properties too
          const property = (value as Record<string, unknown>)[key];
          if (property !== undefined && !isJsonSafe(property, ancestors)) safe = false;
        }
      }
      ancestors.pop();
      return safe;
    }
    default:
      return false; // bigint, function, symbol (a top-level or array undefined is caught by the caller's walk)
  }
}

function isPlainContainer(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === Array.prototype || prototype === null) return true;
  return !LOSSY_OBJECTS.some(([type]) => value instanceof type) && !ArrayBuffer.isView(value);
}

/** The first problem in a payload that failed the quick check, with its path. */
function findProblem(value: unknown, path: string, ancestors: object[], inArray = false): { path: string; reason: string } | undefined {
  switch (typeof value) {
    case 'bigint':
      return { path, reason: 'a BigInt (store it as a string)' };
    case 'function':
      return { path, reason: 'a function' };
    case 'symbol':
      return { path, reason: 'a symbol' };
    case 'undefined':
      return inArray ? { path, reason: 'undefined inside an array (JSON turns it into null)' } : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { path, reason: `${value} (JSON turns it into null)` };
    case 'object': {
      if (value === null || typeof (value as { toJSON?: unknown }).toJSON === 'function') return undefined;
      for (const [type, reason] of LOSSY_OBJECTS) if (value instanceof type) return { path, reason };
      if (ArrayBuffer.isView(value)) return { path, reason: 'a typed array (store it as base64)' };
      if (ancestors.includes(value)) return { path, reason: 'circular (an object refers back to itself)' };
      ancestors.push(value);
      try {
        if (Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            const problem = findProblem(value[i], `${path}[${i}]`, ancestors, true);
            if (problem !== undefined) return problem;
          }
        } else {
          for (const key of Object.keys(value)) {
            const problem = findProblem((value as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
            if (problem !== undefined) return problem;
          }
        }
      } finally {
        ancestors.pop();
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
