import { StreamIntegrityError } from '../errors/stream-integrity.error.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { commitEnd, envelopesOf, type EventItemHeader, type StoredEventItem } from './event-item.codec.js';
import type { EventStreamTable } from './event-stream-table.js';
import type { EventEnvelope } from './interfaces/event-envelope.interface.js';
import { backoffDelay, sleep, type RetryOptions } from './retry-policy.js';
import type { BoundaryAnchor, StreamBoundaryCache } from './stream-boundary-cache.js';
import { followsForward, gapError, precedesBackward } from './stream-integrity.js';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isPurgeStub, STREAM_DELETED_TYPE } from '../lifecycle/stream-metadata-item.codec.js';
import type { RetentionWindow, RetentionWindows } from '../lifecycle/retention-window.js';
import { SEALED_VALUE_PREFIX } from '../personal-data/sealed-value.js';

/** Neither a tombstone nor a purge stub: a boundary appends may be trusted to follow. */
const isOrdinaryCommit = (item: EventItemHeader): boolean => item.deleted === undefined && !isPurgeStub(item);

/** Stream reads never return a deletion's tombstone (the feed delivers it, as StreamDeleted). */
const notSystemEvent = (storedType: string): boolean => storedType !== STREAM_DELETED_TYPE;

/** A promise's outcome, without rejecting (so that it can be awaited later, after another one). */
function settle<T>(promise: Promise<T>): Promise<{ result: T } | { error: unknown }> {
  return promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

async function* keptByAgeOf(pages: AsyncIterable<EventEnvelope[]>, window: RetentionWindow | undefined): AsyncGenerator<EventEnvelope[]> {
  for await (const envelopes of pages) {
    const kept = keptByAge(envelopes, window);
    if (kept.length > 0) yield kept;
  }
}

/** The envelopes committed no earlier than the window's `maxAge` allows (all of them without one). */
function keptByAge(envelopes: EventEnvelope[], window: RetentionWindow | undefined): EventEnvelope[] {
  const since = window?.committedSince;
  return since === undefined ? envelopes : envelopes.filter((envelope) => envelope.occurredAt.getTime() >= since);
}

/** How far before a read's start a known commit end may lie to be read from instead of looking the start up. */
const NEARBY_BOUNDARY = 64;
/** Re-reads allowed when a Query shows part of a multi-item commit that has committed (read-committed isolation). */
const MAX_REREADS = 5;

/** What one span of a replay learns for the next (updated in place). */
export interface CarriedSpan {
  /** The stream's retention window, read by the replay's first span. */
  window?: RetentionWindow;
  /** The last item yielded: the next span starts right after its key and must follow on from it. */
  previous?: EventItemHeader;
  /** The highest version some item seen so far proves committed: reading must get at least that far. */
  committedUpTo: number;
}

/** Where a forward read starts its Query, and what the first item it finds must follow on from. */
interface ForwardStart {
  readonly lower: number;
  /** The item before the first one the Query returns (undefined: the first returned must be version 1). */
  readonly previous?: EventItemHeader;
  /** A cached anchor the Query's first item must be, exactly; otherwise the cache was stale. */
  readonly anchor?: BoundaryAnchor;
}

/**
 * Reads a stream's items and turns them into envelopes, checking as it goes that every item follows
 * on from the one before (see stream-integrity.ts). Used by `read()`, `replay$` and retried appends.
 */
export class StreamReader {
  constructor(
    private readonly table: EventStreamTable,
    private readonly registry: EventTypeRegistry,
    private readonly boundaries: StreamBoundaryCache,
    private readonly retry: Required<RetryOptions>,
    /** The events a read may return (a stream's retention and deletion); everything when undefined. */
    private readonly retention?: RetentionWindows,
  ) {}

  /**
   * Yields the envelopes of [from, to] that the stream's retention keeps (see {@link forwardItems}
   * for the parameters): from its first kept version, without events committed before `maxAge`,
   * never a tombstone. A hard-deleted stream throws StreamDeletedError.
   */
  async *forward(
    streamId: string,
    from: number,
    to: number,
    pageSize?: number,
    span?: number,
    carried?: CarriedSpan,
    include?: (storedType: string) => boolean,
  ): AsyncGenerator<EventEnvelope[]> {
    const visible = include === undefined ? notSystemEvent : (type: string) => notSystemEvent(type) && include(type);
    const open = (start: number) => this.forwardItems(streamId, start, to, pageSize, span, carried, visible);
    const known = carried?.window;
    if (known !== undefined || this.retention === undefined) {
      const start = Math.max(from, known?.first ?? 1);
      if (start <= to) yield* keptByAgeOf(open(start), known);
      return;
    }
    // From the start, the first Query also returns the metadata item (sort key 0): no other request. Else the
    // metadata read and the first Query go out together. Either way the Query assumes nothing is truncated,
    // and is read again from the first kept version when that is later.
    const before = carried === undefined ? undefined : { ...carried };
    let metadata: { item: Record<string, AttributeValue> | undefined } | undefined;
    const fromStart = from === 1 && carried?.previous === undefined;
    const speculative = this.forwardItems(streamId, from, to, pageSize, span, carried, visible, fromStart ? (item) => (metadata ??= { item }) : undefined);
    const first = settle(speculative.next());
    let window: RetentionWindow;
    try {
      window = fromStart ? await this.windowFromQuery(streamId, first, () => metadata) : await this.retention.windowOf(streamId);
    } catch (error) {
      await first;
      await speculative.return(undefined);
      throw error;
    }
    if (carried !== undefined) carried.window = window;
    const start = Math.max(from, window.first);
    const page = await first;
    if (start === from) {
      if ('error' in page) throw page.error;
      if (page.result.done === true) return;
      const kept = keptByAge(page.result.value, window);
      if (kept.length > 0) yield kept;
      yield* keptByAgeOf(speculative, window);
      return;
    }
    await speculative.return(undefined);
    if (carried !== undefined) Object.assign(carried, before, { window });
    if (start <= to) yield* keptByAgeOf(open(start), window);
  }

  /** The window from the metadata item the first Query returned (or, if that Query failed, its error). */
  private async windowFromQuery(
    streamId: string,
    first: Promise<{ result: unknown } | { error: unknown }>,
    metadata: () => { item: Record<string, AttributeValue> | undefined } | undefined,
  ): Promise<RetentionWindow> {
    const page = await first;
    const seen = metadata();
    if (seen !== undefined) return this.retention!.windowOfItem(streamId, seen.item);
    if ('error' in page) throw page.error;
    return this.retention!.windowOf(streamId); // not reached: a read from the start always asks for the item
  }

  /** Yields the envelopes of [from, to] that the stream's retention keeps, newest first, one array per item. */
  async *backward(streamId: string, from: number, to: number, pageSize?: number): AsyncGenerator<EventEnvelope[]> {
    if (this.retention === undefined) {
      yield* this.backwardItems(streamId, from, to, pageSize);
      return;
    }
    // Newest first: the metadata read goes out with the first Query, whose items below the first kept version are dropped.
    const speculative = this.backwardItems(streamId, from, to, pageSize);
    const first = settle(speculative.next());
    let window: RetentionWindow;
    try {
      window = await this.retention.windowOf(streamId);
    } catch (error) {
      await first;
      await speculative.return(undefined);
      throw error;
    }
    const page = await first;
    if ('error' in page) throw page.error;
    if (page.result.done === true) return;
    for (let envelopes: EventEnvelope[] | undefined = page.result.value; envelopes !== undefined; ) {
      const kept = keptByAge(envelopes, window).filter((envelope) => envelope.version >= window.first);
      if (kept.length > 0) yield kept;
      if (envelopes.length > 0 && envelopes.at(-1)!.version <= window.first) break; // read down to the first kept version
      const next = await speculative.next();
      envelopes = next.done === true ? undefined : next.value;
    }
    await speculative.return(undefined);
  }

  /**
   * Yields the envelopes of [from, to], one array per item. With `span`, reads only the items whose
   * sort key is at most `from + span - 1` (one page of replay$): stopping there is this read's end,
   * whatever the items read say of later versions. `carried` is what the previous span of the same
   * replay learned, so that the next span neither looks its start up nor misses an item that would
   * overlap the previous span's last one. With `include`, only events of the stored type names it
   * passes are decoded and yielded (the others are skipped, undecoded).
   */
  private async *forwardItems(
    streamId: string,
    from: number,
    to: number,
    pageSize?: number,
    span?: number,
    carried?: CarriedSpan,
    include?: (storedType: string) => boolean,
    /** Also reads the stream's metadata item, with the first Query (a read from the start), and hands it here. */
    onMetadata?: (item: Record<string, AttributeValue> | undefined) => void,
  ): AsyncGenerator<EventEnvelope[]> {
    const readStartedAt = this.boundaries.time(); // what the read finds last was last no earlier than this
    let metadata = onMetadata;
    let next = from; // the next version to yield
    const spanEnd = span === undefined ? Number.MAX_SAFE_INTEGER : from + span - 1;
    const upper = Math.min(to, spanEnd);
    let committedUpTo = carried?.committedUpTo ?? 0;
    let lastYielded: EventItemHeader | undefined = carried?.previous;
    let start = await this.forwardStart(streamId, from, lastYielded);
    let progressAt = next;
    for (let reread = 0; ; ) {
      let previous = start.previous;
      let anchor = start.anchor;
      let gapAfter: EventItemHeader | undefined | null = null; // null: no gap; else the item found past a gap
      const range = { lower: start.lower > 1 ? start.lower : undefined, upper: upper < Number.MAX_SAFE_INTEGER ? upper : undefined };
      const pages = this.table.pages(streamId, { ...range, forward: true, pageSize, metadata });
      metadata = undefined; // with the first Query only
      scan: for await (const page of pages) {
        for (const item of page) {
          this.boundaries.observe(streamId, item);
          if (anchor !== undefined) {
            // The cached item ending before `from` must be the first one found; it is checked, not yielded.
            if (item.version !== anchor.version || item.lastVersion !== anchor.lastVersion || item.commitId !== anchor.commitId) break scan;
            anchor = undefined;
            previous = item;
            continue;
          }
          if (followsForward(streamId, previous, item) === 'gap') {
            gapAfter = item;
            break scan;
          }
          previous = item;
          committedUpTo = Math.max(committedUpTo, commitEnd(item));
          if (carried !== undefined) carried.committedUpTo = committedUpTo;
          if (item.lastVersion < next) continue; // before `from`: read only to check the items that lead up to it
          // A purge stub (met only by a read that started before the purge) stands for purged versions: nothing to yield.
          yield isPurgeStub(item) ? [] : envelopesOf(item, this.registry, next, to, include);
          next = item.lastVersion + 1;
          lastYielded = item;
          if (carried !== undefined) carried.previous = item;
          // The range (or the span) is read: no further request is sent. The items left in this page have keys at or
          // below the range's end, so can only overlap the last one: checked, since they cost nothing more to look at.
          if (next > to || next > spanEnd) {
            for (const rest of page.slice(page.indexOf(item) + 1)) followsForward(streamId, item, rest);
            return;
          }
        }
      }
      if (anchor !== undefined) {
        // The cached boundary's item is gone or changed (a hand delete, a restore): forget the stream and look it up.
        this.boundaries.forget(streamId);
        start = await this.forwardStart(streamId, next, lastYielded);
        continue;
      }
      if (gapAfter === null && next > Math.min(committedUpTo, to)) {
        // Read to the end: the last item yielded ends the stream, so its version is a known commit boundary.
        if (to === Number.MAX_SAFE_INTEGER && lastYielded !== undefined && next > from && commitEnd(lastYielded) === lastYielded.lastVersion && isOrdinaryCommit(lastYielded)) {
          this.boundaries.remember(streamId, lastYielded, readStartedAt);
        }
        return;
      }
      // A version is missing. Part of a multi-item commit may not be visible yet (it has committed): read again from there.
      // Re-reads are counted from the last progress: a long read may meet several transactions that are briefly half visible.
      if (next > progressAt) {
        progressAt = next;
        reread = 0;
      }
      if (reread++ >= MAX_REREADS) {
        this.boundaries.forget(streamId);
        throw await this.deletedMeanwhile(streamId, gapError(streamId, previous === undefined ? 1 : previous.lastVersion + 1, previous, gapAfter ?? undefined));
      }
      await sleep(backoffDelay(reread, this.retry));
      start = lastYielded !== undefined ? { lower: lastYielded.version + 1, previous: lastYielded } : await this.forwardStart(streamId, from, undefined);
    }
  }

  private async *backwardItems(streamId: string, from: number, to: number, pageSize?: number): AsyncGenerator<EventEnvelope[]> {
    let next = to; // the highest version still to yield
    let later: EventItemHeader | undefined; // the last item yielded: the next one must end right before it
    for (let reread = 0; ; ) {
      let gapAt: EventItemHeader | undefined | null = null;
      const upper = later !== undefined ? later.version - 1 : next < Number.MAX_SAFE_INTEGER ? next : undefined;
      scan: for await (const page of this.table.pages(streamId, { upper, forward: false, pageSize })) {
        for (const item of page) {
          this.boundaries.observe(streamId, item);
          if (later === undefined ? item.lastVersion < to && commitEnd(item) > item.lastVersion : precedesBackward(streamId, later, item) === 'gap') {
            gapAt = item; // a gap, or the top item's later slices not shown yet
            break scan;
          }
          later = item;
          yield isPurgeStub(item) ? [] : envelopesOf(item, this.registry, from, next, notSystemEvent).reverse();
          next = item.version - 1;
          if (next < from) return;
        }
      }
      if (gapAt === null && (later === undefined || next < from || next === 0)) return; // an empty stream or range, or read down to its start
      if (reread++ >= MAX_REREADS) {
        this.boundaries.forget(streamId);
        throw await this.deletedMeanwhile(streamId, gapError(streamId, later === undefined ? to : later.version - 1, gapAt ?? undefined, later));
      }
      await sleep(backoffDelay(reread, this.retry));
    }
  }

  /** @throws StreamDeletedError when the stream is hard-deleted (one metadata read). */
  async assertNotDeleted(streamId: string): Promise<void> {
    await this.retention?.windowOf(streamId);
  }

  /**
   * The error a read that found a gap throws: StreamDeletedError when the stream was hard-deleted
   * while the read ran (its items erased under it), else the integrity error.
   */
  private async deletedMeanwhile(streamId: string, gap: Error): Promise<Error> {
    try {
      await this.retention?.windowOf(streamId);
    } catch (error) {
      return error as Error;
    }
    return gap;
  }

  /** All items of the commit that `item` belongs to, in version order, checked complete and of that commit alone. */
  async itemsOfCommit(item: EventItemHeader | StoredEventItem): Promise<StoredEventItem[]> {
    if (item.commitLastVersion === undefined) {
      // An item with sealed personal data is read again: its decoding needs the keys fetched with a read.
      if ('events' in item && !item.events.includes(SEALED_VALUE_PREFIX)) return [item];
      const stored = await this.table.get(item.streamId, item.version);
      return stored === undefined ? [] : [stored];
    }
    const commitLast = item.commitLastVersion;
    for (let reread = 0; ; ) {
      const items: StoredEventItem[] = [];
      let gap = false;
      let bounded = false; // reached the item before the commit, so the first one read is the commit's first
      scan: for await (const page of this.table.pages(item.streamId, { upper: commitLast, forward: false })) {
        for (const candidate of page) {
          const later = items[0];
          // The commit's last item must show first; later ones must each end right before the one after them.
          if (later === undefined ? candidate.lastVersion !== commitLast : precedesBackward(item.streamId, later, candidate) === 'gap') {
            gap = true;
            break scan;
          }
          if (candidate.commitId !== item.commitId || commitEnd(candidate) !== commitLast) {
            bounded = true;
            break scan;
          }
          items.unshift(candidate);
        }
      }
      // Query is read-committed: it may show part of a committed transaction; read again until all of it shows.
      if (!gap && items.length > 0 && (bounded || items[0]!.version === 1)) return items;
      if (reread++ >= MAX_REREADS) throw new StreamIntegrityError(item.streamId, `commit "${item.commitId}" is not fully visible.`);
      await sleep(backoffDelay(reread, this.retry));
    }
  }

  /** Where a forward read from `from` starts, from what the cache or the previous span knows, else with one lookup. */
  private async forwardStart(streamId: string, from: number, previous: EventItemHeader | undefined): Promise<ForwardStart> {
    if (previous !== undefined) return { lower: previous.version + 1, previous };
    if (from === 1) return { lower: 1 };
    // A known commit end shortly before `from`: read from its item (checking it is still there) instead of looking the start up.
    const anchor = this.boundaries.anchorBelow(streamId, from);
    if (anchor !== undefined && from - 1 - anchor.lastVersion <= NEARBY_BOUNDARY) return { lower: anchor.version, anchor };
    const [holder, before] = await this.table.itemsHolding(streamId, from);
    if (holder === undefined) return { lower: from };
    if (before !== undefined) this.boundaries.observe(streamId, before);
    return { lower: holder.version, previous: before };
  }
}
