import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import { inspectJson } from './json-inspection.js';
import { HAS_DATE, HAS_NEGATIVE_ZERO, scanJson, UNSAFE } from './json-safety-scan.js';
import type { JsonTarget } from './json-value-kinds.js';
import { writeJson } from './json-writer.js';

export { MAX_JSON_DEPTH } from './json-value-kinds.js';

/** An event payload as stored: its JSON, and where it held Dates (the JSON of their paths), if it did. */
export interface EncodedEventPayload {
  readonly json: string;
  readonly datePaths: string | undefined;
}

/**
 * Serializes a value that is not an event payload (commit metadata, a snapshot state) to JSON,
 * refusing whatever would read back as something else: BigInt, functions, symbols, NaN and
 * Infinity, undefined in arrays, Dates, Maps, Sets, typed arrays and Buffers, objects with a
 * toJSON(), own `__proto__` keys, cycles, nesting deeper than MAX_JSON_DEPTH. -0 is kept.
 * Keys whose value is undefined are left out, as JSON leaves them.
 *
 * @throws EventNotSerializableError naming the path of the first problem, with `label` as its type.
 */
export function toJsonPayload(label: string, payload: unknown): string {
  return encode(label, payload, 'other').json;
}

/**
 * Serializes an event payload: as {@link toJsonPayload}, except that Dates are kept. They are
 * stored as their ISO strings and listed in `datePaths`, for the reader to make Dates of again.
 *
 * @throws EventNotSerializableError naming the path of the first problem.
 */
export function encodeEventPayload(eventType: string, payload: object): EncodedEventPayload {
  return encode(eventType, payload, 'event');
}

/**
 * A quick scan first (it runs on every append and snapshot save); only a payload it refuses pays
 * for the walk that names the path, and only one with Dates for the walk that lists them.
 */
function encode(label: string, payload: unknown, target: JsonTarget): EncodedEventPayload {
  let flags: number;
  try {
    flags = scanJson(payload, target);
  } catch (error) {
    // A revoked Proxy inside is bad input: named like any. Anything else is the app's own (a throwing getter): rethrown.
    const { problem } = inspectJson(payload, target);
    if (problem === undefined) throw error;
    throw new EventNotSerializableError(label, problem.path, problem.reason, { cause: error });
  }
  if ((flags & UNSAFE) !== 0) {
    const { problem } = inspectJson(payload, target);
    // Nothing found the second time: a getter gave another value than during the scan.
    throw new EventNotSerializableError(label, problem?.path ?? '$', problem?.reason ?? 'changing while it is serialized (a getter?)');
  }
  let json: string | undefined;
  try {
    json = (flags & HAS_NEGATIVE_ZERO) !== 0 ? writeJson(payload) : JSON.stringify(payload);
  } catch (error) {
    // Only a getter that changed its mind since the scan, or a string past V8's maximum length.
    throw new EventNotSerializableError(label, '$', `not serializable (${(error as Error)?.message ?? String(error)})`, { cause: error });
  }
  if (typeof json !== 'string') throw new EventNotSerializableError(label, '$', 'serialized to nothing');
  if ((flags & HAS_DATE) === 0) return { json, datePaths: undefined };
  const { problem, dates } = inspectJson(payload, target);
  if (problem !== undefined) throw new EventNotSerializableError(label, problem.path, problem.reason);
  return { json, datePaths: JSON.stringify(dates) };
}
