/**
 * What stored JSON may hold, shared by the quick safety scan and the walk that names a problem's
 * path: both must judge every value alike.
 */

/**
 * The most objects and arrays a stored JSON value may nest: the event's data (or a snapshot state,
 * or commit metadata) is level 1. Far beyond any real payload, far below where `JSON.stringify`
 * overflows the stack (about 4,000 levels on Node's default stack, far fewer in a small worker).
 */
export const MAX_JSON_DEPTH = 256;

/** Where the JSON goes: the advice in a refusal depends on it, and only event payloads restore Dates. */
export type JsonTarget = 'event' | 'other';

/** A Date that comes back exactly: valid, with the standard `toJSON`. */
export const VALID_DATE = 'date';
/** An object JSON stores as its own enumerable properties, like a plain object (a class instance). */
export const FIELDS = 'fields';

/** Built-ins whose JSON form silently loses what they hold, with what JSON makes of them. */
const LOSSY: ReadonlyArray<readonly [Function, string]> = [
  [Map, 'a Map (JSON turns it into {})'],
  [Set, 'a Set (JSON turns it into {})'],
  [WeakMap, 'a WeakMap (JSON turns it into {})'],
  [WeakSet, 'a WeakSet (JSON turns it into {})'],
  [RegExp, 'a RegExp (JSON turns it into {})'],
  [Promise, 'a Promise (JSON turns it into {})'],
  [Error, 'an Error (JSON keeps neither its message nor its stack)'],
  [ArrayBuffer, 'an ArrayBuffer (JSON turns it into {})'],
  [SharedArrayBuffer, 'a SharedArrayBuffer (JSON turns it into {})'],
  [Number, 'a Number object (JSON turns it into a plain number)'],
  [String, 'a String object (JSON turns it into a plain string)'],
  [Boolean, 'a Boolean object (JSON turns it into a plain boolean)'],
];

const dateToJson = Date.prototype.toJSON;

/**
 * What instances of each prototype are, as far as the prototype decides it (the lossy built-ins are
 * known by `instanceof`, which only follows the prototype chain): FIELDS or a reason. An event is
 * an instance of a class, so every append asks; the answer is worked out once per class.
 */
const kindOfPrototype = new WeakMap<object, string>();

/**
 * How JSON treats an object whose prototype is neither `Object.prototype`, `null` nor
 * `Array.prototype`: {@link VALID_DATE}, {@link FIELDS}, or the reason it cannot be stored.
 * Only such objects pay for these checks; plain data never gets here.
 */
export function classifyObject(value: object, prototype: object, target: JsonTarget): string {
  // Exactly a Date (a subclass would come back as a plain Date), with the standard toJSON.
  if (prototype === Date.prototype && (value as { toJSON?: unknown }).toJSON === dateToJson) {
    if (Number.isNaN((value as Date).getTime())) return `an invalid Date (JSON turns it into null)${advice(target)}`;
    return target === 'event' ? VALID_DATE : `a Date (JSON turns it into a string; only event payloads get Dates back)${advice(target)}`;
  }
  let kind = kindOfPrototype.get(prototype);
  if (kind === undefined) {
    kind = lossyKind(value);
    kindOfPrototype.set(prototype, kind);
  }
  if (kind !== FIELDS) return `${kind}${advice(target)}`;
  // Per value: a toJSON may be an instance's own.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return `an object with a toJSON() method (JSON would store what toJSON() returns, which reads back as another value)${advice(target)}`;
  }
  return FIELDS;
}

/** FIELDS, or what JSON makes of a built-in that holds more than its own enumerable properties. */
function lossyKind(value: object): string {
  if (Buffer.isBuffer(value)) return 'a Buffer (JSON turns it into {"type":"Buffer","data":[...]}): store it as a base64 string';
  if (ArrayBuffer.isView(value)) return `a typed array (${value.constructor?.name ?? 'view'}; JSON turns it into an object of indices): store it as a base64 string`;
  for (const [type, reason] of LOSSY) if (value instanceof type) return reason;
  return FIELDS;
}

/** The way out of a refusal, named after what is being stored. */
export function advice(target: JsonTarget): string {
  return target === 'event' ? '; convert it, or register the event type with a custom `serializer`' : '; convert it to plain JSON first';
}

/** Why a primitive cannot be stored, or undefined when it can (`inArray`: JSON turns undefined there into null). */
export function primitiveProblem(value: unknown, inArray: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${value} (JSON turns it into null)`;
    case 'bigint':
      return 'a BigInt (store it as a string)';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    case 'undefined':
      return inArray ? 'undefined inside an array (JSON turns it into null)' : undefined;
    default:
      return undefined; // objects are judged by the walks
  }
}

/** The reason for an own `__proto__` key: stored, it would be data; copied with `=` or Object.assign, a new prototype. */
export const PROTO_KEY_REASON =
  'an own "__proto__" key, which is refused: wherever the data were copied with Object.assign or `=`, it would replace ' +
  'the prototype instead of being a field (rename the key)';

/**
 * Whether `value` is a revoked Proxy, on which every operation throws the engine's own TypeError.
 * `Array.isArray` runs no trap of a live Proxy and throws only for a revoked one.
 */
export function isRevokedProxy(value: object): boolean {
  try {
    Array.isArray(value);
    return false;
  } catch {
    return true;
  }
}

export const REVOKED_PROXY_REASON = 'a revoked Proxy (every read of it throws)';

/** The reason for a value nested too deep (a cycle is named as such by the path-finding walk). */
export const TOO_DEEP_REASON = `nested deeper than ${MAX_JSON_DEPTH} levels of objects and arrays (the limit for stored JSON)`;
