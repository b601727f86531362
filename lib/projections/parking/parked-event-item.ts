import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';
import type { ParkedEvent, ParkedEventError, ParkReason } from './parked-event.js';

type Item = Record<string, AttributeValue>;

/**
 * Attributes of a parked event's item in the projections table (its key, in `projection`, is
 * `<partitionKey>!parked!<position>.<version>`: see parkedEventKey).
 */
export const ParkedItemAttribute = {
  /** (S) the projection's name: lists of a whole projection filter on it. */
  parkedOf: 'parkedOf',
  /** (S) the partition item's key. */
  parkedIn: 'parkedIn',
  streamId: 'streamId',
  version: 'version',
  eventId: 'eventId',
  eventType: 'eventType',
  // Not `checkpoint`: tools that scan the table for projection checkpoints (feed migrate) must not take it for one.
  checkpoint: 'eventCheckpoint',
  position: 'position',
  reason: 'reason',
  attempts: 'attempts',
  parkedAt: 'parkedAt',
  errorName: 'errorName',
  errorMessage: 'errorMessage',
  errorStack: 'errorStack',
  retries: 'retries',
  lastRetryAt: 'lastRetryAt',
} as const;
const P = ParkedItemAttribute;

/** `!` cannot be in a projection name, so no partition or meta item key has this. */
const PARKED_INFIX = '!parked!';

/** The prefix of every parked item key of one partition. */
export const parkedKeyPrefix = (partitionKey: string): string => `${partitionKey}${PARKED_INFIX}`;

/** The key of a parked event's item: unique per partition and event, so that parking it again finds it there. */
export const parkedEventKey = (partitionKey: string, position: number, version: number): string => `${parkedKeyPrefix(partitionKey)}${position}.${version}`;

/**
 * What a parked item may weigh: DynamoDB bills writes per started KB, so the error's text is cut to
 * fit the item in this when the rest allows it (a stream id near its 1,024-byte limit does not).
 */
export const PARKED_ITEM_TARGET_BYTES = 1024;
/** The error message keeps at least this much, however long the rest: an item stays far under DynamoDB's 400 KB. */
const MIN_MESSAGE_BYTES = 200;
const MAX_ERROR_NAME_BYTES = 100;
/** Stored type names come from the table; a corrupt one is cut to this. */
const MAX_EVENT_TYPE_BYTES = 512;
const ELLIPSIS = '…';

/** The UTF-8 size of a string. */
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** `text` cut to at most `max` bytes of UTF-8 (never inside a character), with an ellipsis when cut. */
export function truncateUtf8(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  const room = max - bytes(ELLIPSIS);
  if (room <= 0) return '';
  // encodeInto never splits a character (surrogate pairs included): `read` is the UTF-16 length that fits.
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(room));
  return text.slice(0, read) + ELLIPSIS;
}

/**
 * DynamoDB's size of an item (attribute names plus values; numbers counted as their digits, a
 * little over what DynamoDB counts), for the limits checked before sending.
 */
export function itemBytes(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    size += bytes(name);
    if (value.S !== undefined) size += bytes(value.S);
    else if (value.N !== undefined) size += value.N.length + 1;
    else if (value.BOOL !== undefined) size += 1;
  }
  return size;
}

/** The error as stored: name, message and stack cut so that the item stays within PARKED_ITEM_TARGET_BYTES when it can. */
export function storedErrorOf(error: unknown, roomBytes: number): ParkedEventError {
  const raw = error instanceof Error ? error : new Error(String(error));
  const name = truncateUtf8(raw.name || 'Error', MAX_ERROR_NAME_BYTES);
  const room = Math.max(MIN_MESSAGE_BYTES, roomBytes - bytes(name));
  const message = truncateUtf8(raw.message, room);
  const left = room - bytes(message);
  // The stack repeats the message first: what follows it is what is worth the room.
  const stack = raw.stack === undefined ? undefined : truncateUtf8(raw.stack, left);
  return stack === undefined || stack.length === 0 ? { name, message } : { name, message, stack };
}

/** A parked event's item; the error text is cut so that the item stays within PARKED_ITEM_TARGET_BYTES when the rest allows. */
export function encodeParkedEvent(parked: Omit<ParkedEvent, 'error'>, error: unknown): { item: Item; error?: ParkedEventError } {
  const item: Item = {
    [A.projection]: { S: parkedEventKey(parked.partitionKey, parked.position, parked.version) },
    [P.parkedOf]: { S: parked.projection },
    [P.parkedIn]: { S: parked.partitionKey },
    [P.streamId]: { S: parked.streamId },
    [P.version]: { N: String(parked.version) },
    [P.eventId]: { S: parked.eventId },
    [P.eventType]: { S: truncateUtf8(parked.eventType, MAX_EVENT_TYPE_BYTES) },
    [P.checkpoint]: { S: parked.checkpoint },
    [P.position]: { N: String(parked.position) },
    [P.reason]: { S: parked.reason },
    [P.attempts]: { N: String(parked.attempts) },
    [P.parkedAt]: { N: String(parked.parkedAt.getTime()) },
    [P.retries]: { N: String(parked.retries) },
  };
  if (error === undefined) return { item };
  const stored = errorAttributes(error, itemBytes(item));
  return { item: { ...item, ...stored.attributes }, error: stored.error };
}

/** The attributes of `error` for an item whose other attributes weigh `otherBytes`. */
export function errorAttributes(error: unknown, otherBytes: number): { attributes: Item; error: ParkedEventError } {
  // Attribute names count too.
  const names = bytes(P.errorName) + bytes(P.errorMessage) + bytes(P.errorStack) + bytes(P.lastRetryAt) + 16;
  const stored = storedErrorOf(error, PARKED_ITEM_TARGET_BYTES - otherBytes - names);
  const attributes: Item = { [P.errorName]: { S: stored.name }, [P.errorMessage]: { S: stored.message } };
  if (stored.stack !== undefined) attributes[P.errorStack] = { S: stored.stack };
  return { attributes, error: stored };
}

export function decodeParkedEvent(item: Item): ParkedEvent {
  const n = (name: string) => Number(item[name]?.N ?? 0);
  const errorName = item[P.errorName]?.S;
  return {
    projection: item[P.parkedOf]!.S!,
    partitionKey: item[P.parkedIn]!.S!,
    streamId: item[P.streamId]!.S!,
    version: n(P.version),
    eventId: item[P.eventId]?.S ?? '',
    eventType: item[P.eventType]?.S ?? '',
    checkpoint: item[P.checkpoint]!.S!,
    position: n(P.position),
    reason: (item[P.reason]?.S ?? 'failed') as ParkReason,
    attempts: n(P.attempts),
    parkedAt: new Date(n(P.parkedAt)),
    ...(errorName === undefined
      ? {}
      : { error: { name: errorName, message: item[P.errorMessage]?.S ?? '', ...(item[P.errorStack]?.S === undefined ? {} : { stack: item[P.errorStack].S }) } }),
    retries: n(P.retries),
    ...(item[P.lastRetryAt]?.N === undefined ? {} : { lastRetryAt: new Date(n(P.lastRetryAt)) }),
  };
}

/** Position, then version order: the feed's order, in which parked events are listed and retried. */
export const byFeedOrder = (a: Pick<ParkedEvent, 'position' | 'version'>, b: Pick<ParkedEvent, 'position' | 'version'>): number =>
  a.position - b.position || a.version - b.version;
