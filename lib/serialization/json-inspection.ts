import {
  classifyObject,
  FIELDS,
  isRevokedProxy,
  MAX_JSON_DEPTH,
  primitiveProblem,
  PROTO_KEY_REASON,
  REVOKED_PROXY_REASON,
  TOO_DEEP_REASON,
  VALID_DATE,
  type JsonTarget,
} from './json-value-kinds.js';

/** One step into a JSON value: a key of an object or an index of an array. */
export type JsonPathSegment = string | number;

/** The first thing in a value that JSON cannot bring back, and where. */
export interface JsonProblem {
  /** Like `$.lines[2].amount`. */
  readonly path: string;
  readonly reason: string;
}

/** What {@link inspectJson} found. */
export interface JsonInspection {
  /** The first problem in document order, if any (then `dates` is incomplete). */
  readonly problem?: JsonProblem;
  /** Where the value holds Dates, in document order (event payloads only). */
  readonly dates: JsonPathSegment[][];
}

/** An object or array being walked, and the key or index it sits under in its parent. */
interface Frame {
  readonly value: object;
  /** Own enumerable keys of an object; undefined for an array. */
  readonly keys: string[] | undefined;
  readonly segment: JsonPathSegment | undefined;
  index: number;
}

/**
 * The slow, thorough walk: in document order, with an explicit stack (no depth can overflow the
 * call stack), the objects on the current path in a Set (so a cycle is named as one). It runs only
 * when the quick scan found a problem (to name its path) or Dates in an event payload (to list
 * their paths), and judges every value exactly as the scan does.
 */
export function inspectJson(root: unknown, target: JsonTarget): JsonInspection {
  const dates: JsonPathSegment[][] = [];
  const frames: Frame[] = [];
  const onPath = new Set<object>();
  const pathTo = (segment: JsonPathSegment | undefined): JsonPathSegment[] => {
    const path = frames.slice(1).map((frame) => frame.segment!);
    if (segment !== undefined) path.push(segment);
    return path;
  };
  const fail = (segment: JsonPathSegment | undefined, reason: string): JsonInspection => ({ problem: { path: formatJsonPath(pathTo(segment)), reason }, dates });

  /** Judges one value; pushes a frame for an object or array to walk. Returns a problem's reason. */
  const visit = (value: unknown, segment: JsonPathSegment | undefined, inArray: boolean): string | undefined => {
    if (value === null) return undefined;
    if (typeof value !== 'object') {
      if (value === undefined && frames.length === 0) return 'undefined (serialized to nothing)';
      return primitiveProblem(value, inArray);
    }
    if (isRevokedProxy(value)) return REVOKED_PROXY_REASON; // the scan stopped on its TypeError
    if (onPath.has(value)) return 'circular (an object refers back to itself)';
    if (frames.length + 1 > MAX_JSON_DEPTH) return TOO_DEEP_REASON;
    const prototype = Object.getPrototypeOf(value) as object | null;
    let isArray = prototype === Array.prototype;
    if (!isArray && prototype !== Object.prototype && prototype !== null) {
      const kind = classifyObject(value, prototype, target);
      if (kind === VALID_DATE) {
        dates.push(pathTo(segment));
        return undefined;
      }
      if (kind !== FIELDS) return kind;
      isArray = Array.isArray(value);
    }
    onPath.add(value);
    frames.push({ value, keys: isArray ? undefined : Object.keys(value), segment, index: 0 });
    return undefined;
  };

  const rootProblem = visit(root, undefined, false);
  if (rootProblem !== undefined) return fail(undefined, rootProblem);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const { value, keys } = frame;
    if (frame.index >= (keys === undefined ? (value as unknown[]).length : keys.length)) {
      frames.pop();
      onPath.delete(value);
      continue;
    }
    const index = frame.index++;
    if (keys === undefined) {
      const problem = visit((value as unknown[])[index], index, true);
      if (problem !== undefined) return fail(index, problem);
    } else {
      const key = keys[index]!;
      if (key === '__proto__') return fail(key, PROTO_KEY_REASON);
      const problem = visit((value as Record<string, unknown>)[key], key, false);
      if (problem !== undefined) return fail(key, problem);
    }
  }
  return { dates };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `$`, then `.key` (or `["odd key"]`) and `[index]` steps. */
export function formatJsonPath(path: readonly JsonPathSegment[]): string {
  let text = '$';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return text;
}
