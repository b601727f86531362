import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CommitTooLargeError } from '../errors/commit-too-large.error.js';
import { EventTooLargeError } from '../errors/event-too-large.error.js';
import { eventIdSequence } from '../serialization/event-id.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import { MAX_ITEM_BYTES, MAX_TRANSACTION_BYTES, MAX_TRANSACTION_ITEMS, numberSize } from '../tables/item-size.js';

/** One event, serialized once, ready to be packed. */
export interface PackableEvent {
  /** Stored type name. */
  readonly type: string;
  /** `{"type":...,"data":...}`: the event's entry in an item's `events` JSON array. */
  readonly entry: string;
  /** UTF-8 length of `entry`. */
  readonly bytes: number;
  /** The entry as 0.3 stored it, when `entry` lists Dates (0.3 stored none): to recognize a retry across the upgrade. */
  readonly withoutDates?: string;
}

/** How one commit's events are split over items: `[start, end)` index ranges, in order. */
export interface CommitPlan {
  readonly slices: ReadonlyArray<readonly [start: number, end: number]>;
  /** Upper bound of the stored size of all items, in bytes. */
  readonly bytes: number;
}

export interface CommitHeader {
  readonly streamId: string;
  readonly commitId: string;
  readonly committedAt: number;
  readonly firstEventId: string;
  readonly metadataJson?: string;
}

// Worst-case numbers make the plan independent of the version the commit lands at, so it is
// computed (and the limits checked) once, before any request, and holds on every retry.
const LARGEST_VERSION = Number.MAX_SAFE_INTEGER;
const LARGEST_TIME = 9_999_999_999_999;

/**
 * Packs events greedily into as few items as fit DynamoDB's 400 KB item limit, and checks that the
 * commit fits one transaction (4 MB, 100 items). Throws before anything is sent.
 */
export function planCommit(header: Omit<CommitHeader, 'committedAt'>, events: readonly PackableEvent[]): CommitPlan {
  // The common case: everything in one item, which carries neither firstEventId (when it is the
  // commit id) nor commitLastVersion.
  const whole = itemOverhead(header, false) + events.reduce((sum, event) => sum + event.bytes, 0) + events.length - 1;
  if (whole <= MAX_ITEM_BYTES) return { slices: [[0, events.length]], bytes: whole };

  const overhead = itemOverhead(header, true);
  const budget = MAX_ITEM_BYTES - overhead;
  const slices: Array<readonly [number, number]> = [];
  let bytes = 0;
  let start = 0;
  let sliceBytes = 0; // bytes of the entries of the open slice, commas included
  events.forEach((event, index) => {
    if (event.bytes > budget) {
      const alone = events.length === 1 ? itemOverhead(header, false) : overhead;
      throw new EventTooLargeError(event.type, index, event.bytes + alone, MAX_ITEM_BYTES);
    }
    const added = index === start ? event.bytes : event.bytes + 1;
    if (sliceBytes + added > budget) {
      slices.push([start, index]);
      bytes += overhead + sliceBytes;
      start = index;
      sliceBytes = event.bytes;
    } else {
      sliceBytes += added;
    }
  });
  slices.push([start, events.length]);
  bytes += overhead + sliceBytes;
  if (bytes > MAX_TRANSACTION_BYTES || slices.length > MAX_TRANSACTION_ITEMS) {
    throw new CommitTooLargeError(header.streamId, events.length, bytes, MAX_TRANSACTION_BYTES);
  }
  return { slices, bytes };
}

/**
 * Bytes of an item without its events, with the largest numbers it can hold; `split` for the
 * items of a commit spread over several, which also carry firstEventId and commitLastVersion.
 * Arithmetic rather than itemSize() on a template item: it runs on every append.
 */
function itemOverhead(header: Omit<CommitHeader, 'committedAt'>, split: boolean): number {
  const string = (name: string, value: string) => name.length + Buffer.byteLength(value, 'utf8');
  return (
    FIXED_OVERHEAD +
    string(A.streamId, header.streamId) +
    string(A.commitId, header.commitId) +
    (split || header.firstEventId !== header.commitId ? string(A.firstEventId, header.firstEventId) : 0) +
    (split ? SPLIT_OVERHEAD : 0) +
    (header.metadataJson === undefined ? 0 : string(A.metadata, header.metadataJson))
  );
}

const LARGEST_VERSION_BYTES = numberSize(String(LARGEST_VERSION));
/** The numbers and the brackets of the events array, at their largest: the same for every item. */
const FIXED_OVERHEAD =
  A.version.length +
  A.lastVersion.length +
  2 * LARGEST_VERSION_BYTES +
  A.committedAt.length +
  numberSize(String(LARGEST_TIME)) +
  A.events.length +
  '[]'.length;
const SPLIT_OVERHEAD = A.commitLastVersion.length + LARGEST_VERSION_BYTES;

/** The items of a planned commit whose first event gets version `startVersion`. */
export function commitItems(
  plan: CommitPlan,
  events: readonly PackableEvent[],
  header: CommitHeader,
  startVersion: number,
): Record<string, AttributeValue>[] {
  const commitLastVersion = String(startVersion + events.length - 1);
  const split = plan.slices.length > 1;
  const idAt = eventIdSequence(header.firstEventId);
  // Built by hand rather than with marshall(): this runs on every append and the types are fixed.
  return plan.slices.map(([start, end]) => {
    let json = '[';
    for (let i = start; i < end; i++) json += (i === start ? '' : ',') + events[i]!.entry;
    json += ']';
    const firstEventId = idAt(start);
    const item: Record<string, AttributeValue> = {
      [A.streamId]: { S: header.streamId },
      [A.version]: { N: String(startVersion + start) },
      [A.lastVersion]: { N: String(startVersion + end - 1) },
      [A.commitId]: { S: header.commitId },
      [A.committedAt]: { N: String(header.committedAt) },
      [A.events]: { S: json },
    };
    // A generated commit id is the first event's id: stored once, not twice.
    if (firstEventId !== header.commitId) item[A.firstEventId] = { S: firstEventId };
    if (header.metadataJson !== undefined) item[A.metadata] = { S: header.metadataJson };
    if (split) item[A.commitLastVersion] = { N: commitLastVersion };
    return item;
  });
}
