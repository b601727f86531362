import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { CommitIdReusedError } from '../errors/commit-id-reused.error.js';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { parseCommitMetadata } from '../metadata/commit-metadata.js';
import { rememberAppended } from '../metadata/envelope-of.js';
import { CommittedEventsPublisher } from '../publishing/committed-events.publisher.js';
import { eventIdSequence } from '../serialization/event-id.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { commitItems, planCommit, type CommitHeader, type PackableEvent } from './commit-packer.js';
import { prepareAppend } from './prepared-append.js';
import { commitEnd, envelopesOf, type EventItemHeader, type StoredEventItem } from './event-item.codec.js';
import { EventStreamTable } from './event-stream-table.js';
import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedVersion } from './expected-version.js';
import {
  assertStreamId,
  resolveReadOptions,
} from './input-validation.js';
import type { AppendOptions } from './interfaces/append-options.interface.js';
import type { AppendResult } from './interfaces/append-result.interface.js';
import type { EventEnvelope } from './interfaces/event-envelope.interface.js';
import type { ReadOptions } from './interfaces/read-options.interface.js';
import type { Observable } from 'rxjs';
import { pagedObservable } from '../replay/paged-observable.js';
import type { ReplayOptions } from '../replay/interfaces/replay-options.interface.js';
import type { ReplayHandlerOptions } from '../replay/interfaces/replay-handler-options.interface.js';
import type { ReplayResult } from '../replay/interfaces/replay-result.interface.js';
import type { ReplayAllHandlerOptions } from '../replay/interfaces/replay-all-handler-options.interface.js';
import type { ReplayAllResult } from '../replay/interfaces/replay-all-result.interface.js';
import type { EventsOfTypes, EventTypeList, ReplayedEvent } from '../replay/interfaces/selected-event.interface.js';
import { EventStoreReplays } from '../replay/event-store-replays.js';
import { eventsOfPages } from '../replay/replay-pages.js';
import { replayAllWithHandler, replayWithHandler } from '../replay/replay-with-handler.js';
import { backoffDelay, sleep, type RetryOptions } from './retry-policy.js';
import { StreamBoundaryCache } from './stream-boundary-cache.js';
import { StreamReader, type CarriedSpan } from './stream-reader.js';
import { CommitWriter, type WriteAttempts } from './commit-writer.js';
import { unbatch } from './batched-iterable.js';
import { CommittedAppend } from './committed-append.js';
import type { CommitNotifier } from '../feed/commit-notifier.js';
import { createFeedReader, type FeedReader } from '../feed/feed-reader.js';
import { resolveFeedReadOptions } from '../feed/resolve-feed-read-options.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from '../feed/interfaces/replay-all-options.interface.js';
import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { noteRetry } from '../telemetry/active-operation.js';
import { readAttributes } from '../telemetry/operation-attributes.js';
import { SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { attachTelemetry } from '../telemetry/telemetry-of.js';
import type { PreparedAppend } from './prepared-append.js';

/**
 * An 'any' or 'stream-exists' append that loses a race re-reads the head and tries again. Each
 * loss means another writer succeeded, so the stream always moves; this only bounds starvation.
 */
const MAX_POSITION_RETRIES = 100;
/**
 * Where an append lands (and when the commit before it was written, when there is one), or the
 * stored commit it turns out to repeat.
 */
type Position = { start: number; previousAt?: number; duplicateOf?: undefined } | { start?: undefined; duplicateOf: EventItemHeader };

/**
 * Appends events to streams and reads them back, on one DynamoDB table.
 *
 * Each append is one atomic, optimistic-concurrency-checked commit: small events are packed into
 * one item written with a conditional PutItem; a commit over 400 KB is split into items written in
 * one TransactWriteItems. After the commit, the events are published on the @nestjs/cqrs EventBus.
 */
@Injectable()
export class EventStore {
  private readonly table: EventStreamTable;
  private readonly registry: EventTypeRegistry;
  private readonly retry: Required<RetryOptions>;
  private readonly publishByDefault: boolean;
  private readonly boundaries: StreamBoundaryCache;
  private readonly reader: StreamReader;
  private readonly writer: CommitWriter;
  /** `boundaryCache: false`: read the head before every append. */
  private readonly verifyEveryAppend: boolean;
  /** Hears of this process's commits: the feed may have advanced (projections read it again). */
  private readonly commits: CommitNotifier;
  private readonly feedReader?: FeedReader;
  /** Spans and metrics (the no-op without OpenTelemetry); the aggregate repositories find it with telemetryOf(store). */
  private readonly telemetry: Telemetry;
  /** The pages of replay$, replay, replayAll$ and replayAll. */
  private readonly replays: EventStoreReplays;

  constructor(
    @Inject(EVENT_SOURCING_RUNTIME) runtime: EventSourcingRuntime,
    @Inject(CommittedEventsPublisher) private readonly publisher: CommittedEventsPublisher,
  ) {
    this.table = new EventStreamTable(runtime.client, runtime.options.eventsTable, runtime.options.retry);
    this.registry = runtime.registry;
    this.retry = runtime.options.retry;
    this.publishByDefault = runtime.options.publishEvents;
    this.commits = runtime.commits;
    this.feedReader = runtime.options.feed === undefined ? undefined : createFeedReader(runtime);
    const { trustMs, maxStreams, verifyEveryAppend } = runtime.options.boundaryCache;
    this.boundaries = new StreamBoundaryCache({ trustMs, maxStreams });
    this.verifyEveryAppend = verifyEveryAppend;
    this.reader = new StreamReader(this.table, this.registry, this.boundaries, this.retry);
    this.telemetry = runtime.telemetry ?? NO_TELEMETRY;
    attachTelemetry(this, this.telemetry);
    this.writer = new CommitWriter(this.table, this.retry, this.telemetry);
    this.replays = new EventStoreReplays(this.reader, this.registry, this.feedReader, this.telemetry);
  }

  /**
   * Appends `events` to the stream atomically, if the stream is at `expectedVersion`.
   *
   * @throws ConcurrencyError when the stream is not at the expected version (nothing written).
   * @throws InvalidArgumentError, EventNotSerializableError, EventTooLargeError, CommitTooLargeError,
   *   UnregisteredEventClassError on bad input, before anything is sent.
   * @throws RetriesExhaustedError when DynamoDB kept throttling or conflicting.
   */
  async append<TEvent extends object>(
    streamId: string,
    given: readonly TEvent[],
    options: AppendOptions,
  ): Promise<AppendResult<TEvent>> {
    const prepared = prepareAppend(streamId, given, options, this.registry);
    const facts = { streamId, expectedVersion: prepared.expectedVersion, eventCount: prepared.events.length, commitId: prepared.commit.commitId };
    const result = await this.telemetry.traceAppend(facts, () => this.commitPrepared<TEvent>(streamId, prepared));
    // Published once the append's span has ended, in the caller's context: handlers and sagas are the caller's
    // work, not the append's (their spans and DynamoDB requests must not land in an ended append span).
    // A duplicate wrote nothing, so publishes nothing.
    if (!result.duplicate && (prepared.publish ?? this.publishByDefault)) this.publisher.publish(prepared.events as readonly TEvent[]);
    return result;
  }

  /** Writes a checked append where the expected version says, retrying a lost race for 'any' and 'stream-exists'. */
  private async commitPrepared<TEvent extends object>(streamId: string, prepared: PreparedAppend): Promise<AppendResult<TEvent>> {
    const { expectedVersion, callerCommitId, commit: header, packable } = prepared;
    // What was checked is what is stored, published and counted: the caller's array and options are not read again.
    const events = prepared.events as readonly TEvent[];
    const commit: Omit<CommitHeader, 'committedAt'> = header;
    const plan = planCommit(commit, packable); // every size limit is checked here, before any request

    for (let retry = 0; ; retry++) {
      const position = await this.positionFor(streamId, expectedVersion, callerCommitId);
      const attempts: WriteAttempts = { made: 0, unanswered: false }; // write attempts at this position
      if (position.duplicateOf !== undefined) return this.duplicate(position.duplicateOf, packable);

      // Informational only (the envelopes' occurredAt; the feed's order is the index's, not a clock's):
      // never before the commit it follows, so that occurredAt does not go back within a stream.
      const header: CommitHeader = { ...commit, committedAt: Math.max(Date.now(), (position.previousAt ?? 0) + 1) };
      const conflict = await this.writer.write(commitItems(plan, packable, header, position.start), header, position.start, attempts);
      // The SDK retried a request whose first attempt landed (its response was lost): the item is this very call's.
      const landedEarlier = conflict?.existing !== undefined && isFromThisCall(conflict.existing, header);
      if (conflict === undefined || landedEarlier) {
        const version = position.start + events.length - 1;
        const lastItemStart = position.start + plan.slices.at(-1)![0];
        this.boundaries.remember(streamId, { version: lastItemStart, lastVersion: version, commitId: header.commitId, committedAt: header.committedAt });
        this.commits.notify();
        const result = this.committed(header, events, packable, position.start);
        rememberAppended(events, result); // before publishing (in append): handlers may ask for envelopeOf(event)
        return result;
      }
      if (conflict.existing?.commitId === header.commitId) return this.duplicate(conflict.existing, packable);
      if (expectedVersion !== ANY && expectedVersion !== STREAM_EXISTS) {
        throw new ConcurrencyError(streamId, expectedVersion, (await this.table.head(streamId)).version);
      }
      if (retry + 1 >= MAX_POSITION_RETRIES) {
        throw new RetriesExhaustedError(
          `Append to stream "${streamId}" with expected version '${expectedVersion}'`,
          retry + 1,
          'ConditionalCheckFailed (other writers appended first each time)',
        );
      }
      noteRetry('ConditionalCheckFailedException');
      if (retry > 0) await sleep(backoffDelay(Math.min(retry, 6), this.retry));
    }
  }

  /**
   * Whether this store knows, from its own appends and reads, that `version` ends a commit of the
   * stream (and so exists). Lets the aggregate repository skip re-checking a snapshot's version.
   * @internal
   */
  isKnownCommitEnd(streamId: string, version: number): boolean {
    return this.boundaries.trusts(streamId, version);
  }

  /**
   * Reads a stream's events as an async iterable of envelopes, strongly consistent, following
   * every DynamoDB page. Only the requested version range is returned, however events are packed.
   * Options are checked at once; nothing is read until the iterable is consumed.
   */
  read<TEvent extends object = object>(streamId: string, options?: ReadOptions): AsyncIterable<EventEnvelope<TEvent>> {
    assertStreamId(streamId);
    const { fromVersion, toVersion, direction, pageSize } = resolveReadOptions(options);
    // Lazy and re-iterable: each `for await` runs its own queries, so a reading can be kept and consumed again later.
    const attributes = () => readAttributes(streamId, fromVersion, toVersion, direction);
    return unbatch(() =>
      this.telemetry.traceReading(SpanName.read, attributes, () =>
        (direction === 'forward'
          ? this.reader.forward(streamId, fromVersion, toVersion, pageSize)
          : this.reader.backward(streamId, fromVersion, toVersion, pageSize)) as AsyncGenerator<EventEnvelope<TEvent>[]>,
      ),
    );
  }

  /**
   * Replays a stream, oldest first, as a cold Observable of envelopes, read one DynamoDB Query page
   * at a time (see {@link ReplayOptions.pageSize}) and no faster than they are handled: the next
   * page is read only once every event of the previous one has been handled. Each subscription
   * reads afresh, strongly consistent. Unsubscribing stops the reading: no further request is
   * sent. Completes after the last event (or `toVersion`). With `eventTypes: [A, B]` it emits only
   * those events, typed `EventEnvelope<A | B>` (types listed by name, or none: `EventEnvelope<object>`,
   * to narrow with {@link isEvent}; a type argument, `replay$<MyEvent>(...)`, still wins unchecked).
   *
   * For an async handler, prefer {@link replay}, which awaits it. With RxJS, apply
   * `handleInOrder(handler)` directly to this Observable, first in `pipe`:
   *
   * ```ts
   * await lastValueFrom(store.replay$(id, { pageSize: 100 }).pipe(handleInOrder(handle)), { defaultValue: undefined });
   * ```
   *
   * An event then counts as handled once its handler has settled, and at most one page waits in
   * memory. Operators placed before `handleInOrder` that hand the same envelopes on at once
   * (`filter`, `tap`, `take`) keep that bound; those that make new values (`map`) or hand them on
   * later (`concatMap`, `mergeMap`, `delay`, `observeOn`, `bufferCount`) lose it without a word:
   * the whole stream is then read ahead of a slow handler. A synchronous subscriber needs nothing:
   * an event is handled when its `next` returns.
   *
   * @throws InvalidArgumentError (synchronously, before anything is sent) on a bad stream id or
   *   options (a bad `eventTypes` list, or a class with no registered type name, included).
   */
  replay$<TEvent extends object = never, TTypes extends EventTypeList = EventTypeList>(
    streamId: string,
    options: ReplayOptions<TTypes>,
  ): Observable<EventEnvelope<ReplayedEvent<TEvent, TTypes>>> {
    const { pages } = this.replays.stream<ReplayedEvent<TEvent, TTypes>>(streamId, options);
    return pagedObservable(() => eventsOfPages(pages()));
  }

  /**
   * Replays a stream, oldest first, calling `handler` with each envelope, one at a time: an async
   * handler is awaited before the next event. Read as {@link replay$} reads it, one page at a time:
   * the next page is read only once every event of the previous one has been handled, so at most
   * one page of events is held in memory whatever the handler does.
   *
   * ```ts
   * const { eventsHandled, lastVersion } = await store.replay('account-1', async ({ event, version }) => save(event, version), { pageSize: 100 });
   * ```
   *
   * With `eventTypes: [A, B]` the handler gets only those events, typed `EventEnvelope<A | B>`
   * (types listed by name, or none: `EventEnvelope<object>`, to narrow with {@link isEvent}).
   * Resolves once the last event (or `toVersion`) is handled, with how many were handled and the
   * version read up to. Rejects with the handler's error (thrown or rejected: nothing further is
   * read or handled), with a read's error, or with `signal.reason` when `options.signal` aborts.
   *
   * @throws (as a rejection, before anything is sent) InvalidArgumentError on a bad stream id,
   *   handler or options.
   */
  async replay<TTypes extends EventTypeList = EventTypeList>(
    streamId: string,
    handler: (envelope: EventEnvelope<EventsOfTypes<TTypes>>) => unknown,
    options: ReplayHandlerOptions<TTypes>,
  ): Promise<ReplayResult> {
    return replayWithHandler((rest) => this.replays.stream<EventsOfTypes<TTypes>>(streamId, rest), handler, options);
  }

  /**
   * Every committed event of every stream (the global feed), as a cold Observable of envelopes
   * that each carry the checkpoint to resume after it: every commit the feed index holds, exactly
   * once, in the index's order (a total order, clock-free, that keeps each stream's version order).
   * Reads up to the index's head as it stands when the read starts (read strongly consistent), then
   * completes: commits indexed during the read are left for the next one. A commit appears in the
   * index once the indexer has read it from the table's DynamoDB Stream (typically well under a
   * second). A page of `pageSize` events is fetched only when the previous one has been handled.
   * With `eventTypes: [A, B]` it emits only those events, typed `FeedEvent<A | B>` (by name, or
   * none: `FeedEvent<object>`; a type argument, `replayAll$<MyEvent>(...)`, still wins unchecked).
   *
   * For an async handler, prefer {@link replayAll}; with RxJS, apply `handleInOrder(handler)`
   * directly to this Observable, as {@link replay$} says (the same operators lose the bound).
   *
   * @throws InvalidArgumentError for bad options, FeedCheckpointMismatchError for a checkpoint of
   *   0.3's commit-time feed, FeedDisabledError with `feed: false`: at once, before any request.
   *   The Observable errors with FeedCheckpointMismatchError for a checkpoint given by another
   *   table's feed index (or before the index was rebuilt), with StreamIntegrityError when the
   *   index names a commit the table does not hold (or not the one it names).
   */
  replayAll$<TEvent extends object = never, TTypes extends EventTypeList = EventTypeList>(
    options: ReplayAllOptions<TTypes>,
  ): Observable<FeedEvent<ReplayedEvent<TEvent, TTypes>>> {
    const pages = this.replays.feed<ReplayedEvent<TEvent, TTypes>>(options);
    return pagedObservable(() => eventsOfPages(pages()));
  }

  /**
   * The global feed, as {@link replayAll$} reads it, calling `handler` with each event, one at a
   * time: an async handler is awaited before the next event, and the next page is fetched only
   * once every event of the previous one has been handled (at most one page is held in memory).
   *
   * ```ts
   * const { checkpoint } = await store.replayAll(async ({ event }) => index(event), { pageSize: 100, from: saved });
   * ```
   *
   * With `eventTypes: [A, B]` the handler gets only those events, typed `FeedEvent<A | B>` (by
   * name, or none: `FeedEvent<object>`, to narrow with {@link isEvent}).
   * Resolves once the read has caught up with the index head it found when it started, with how
   * many events were handled and the checkpoint to resume from next time (past what the filters
   * left out). Rejects with the handler's error (nothing further is read or handled), with a
   * read's error, or with `signal.reason` when `options.signal` aborts.
   *
   * @throws (as a rejection, before any request) InvalidArgumentError for a bad handler or options,
   *   FeedCheckpointMismatchError, FeedDisabledError, as {@link replayAll$} throws them.
   */
  async replayAll<TTypes extends EventTypeList = EventTypeList>(
    handler: (envelope: FeedEvent<EventsOfTypes<TTypes>>) => unknown,
    options: ReplayAllHandlerOptions<TTypes>,
  ): Promise<ReplayAllResult> {
    return replayAllWithHandler((rest) => this.replays.feed<EventsOfTypes<TTypes>>(rest), handler, options);
  }

  /** The version the commit's first event gets, from the expected version and, where needed, the stream's head. */
  private async positionFor(streamId: string, expected: ExpectedVersion, callerCommitId?: string): Promise<Position> {
    if ((expected === NO_STREAM || expected === 0) && !this.verifyEveryAppend) return { start: 1 };
    if (typeof expected === 'number' && this.boundaries.trusts(streamId, expected)) {
      return { start: expected + 1, previousAt: this.boundaries.committedAtOf(streamId, expected) };
    }

    const head = await this.table.head(streamId);
    if (head.item !== undefined) this.boundaries.observe(streamId, head.item);
    // The stream's end is below a boundary seen before: items were deleted or lost since; what was known is void.
    if (head.version < (this.boundaries.highest(streamId) ?? 0)) this.boundaries.forget(streamId);
    if (callerCommitId !== undefined && head.item?.commitId === callerCommitId) return { duplicateOf: head.item };
    const previousAt = head.item?.committedAt;
    if (expected === ANY) return { start: head.version + 1, previousAt };
    if (expected === STREAM_EXISTS) {
      if (head.version === 0) throw new ConcurrencyError(streamId, expected, 0);
      return { start: head.version + 1, previousAt };
    }
    if (expected === NO_STREAM) expected = 0; // read only with `boundaryCache: false`
    if (head.version === expected) {
      // A split commit's last item, if the Query showed it (read-committed): only an item that ends its commit anchors a read.
      if (head.item !== undefined && head.item.lastVersion === expected) this.boundaries.remember(streamId, head.item);
      return { start: expected + 1, previousAt };
    }
    if (callerCommitId !== undefined && head.version > expected) {
      // A retry of a commit that did land at expected + 1, with others appended since.
      const stored = await this.table.get(streamId, expected + 1);
      if (stored?.commitId === callerCommitId) return { duplicateOf: stored };
    }
    throw new ConcurrencyError(streamId, expected, head.version);
  }

  private committed<TEvent extends object>(
    header: CommitHeader,
    events: readonly TEvent[],
    packable: readonly PackableEvent[],
    start: number,
  ): AppendResult<TEvent> {
    return new CommittedAppend(header.streamId, header.commitId, start + events.length - 1, false, () => {
      // From the stored JSON: a deep, frozen copy that the caller's later changes cannot reach.
      const { metadata, correlationId, causationId } = parseCommitMetadata(header.metadataJson);
      const idAt = eventIdSequence(header.firstEventId);
      return events.map((event, i) => ({
        event,
        eventType: packable[i]!.type,
        eventId: idAt(i),
        streamId: header.streamId,
        version: start + i,
        occurredAt: new Date(header.committedAt),
        commitId: header.commitId,
        correlationId,
        causationId,
        metadata,
      }));
    });
  }

  /** The result of a commit stored earlier under the same commit id; nothing new is written or published. */
  private async duplicate<TEvent extends object>(
    storedItem: EventItemHeader,
    packable: readonly PackableEvent[],
  ): Promise<AppendResult<TEvent>> {
    const items = await this.reader.itemsOfCommit(storedItem);
    // A true retry carries byte-identical events; anything else under the same commit id is a mistake to report.
    const stored = items.map((item) => item.events.slice(1, -1)).join(',');
    const sent = packable.map((event) => event.entry).join(',');
    // A commit 0.3 stored (no Dates listed) retried now: the same events, as 0.3 wrote them.
    const sentBy03 = packable.some((event) => event.withoutDates !== undefined) ? packable.map((event) => event.withoutDates ?? event.entry).join(',') : sent;
    if (stored !== sent && stored !== sentBy03) {
      throw new CommitIdReusedError(storedItem.streamId, storedItem.commitId);
    }
    const envelopes = items.flatMap((item) => envelopesOf(item, this.registry));
    const version = commitEnd(storedItem);
    this.boundaries.remember(storedItem.streamId, items.at(-1)!);
    return new CommittedAppend(storedItem.streamId, storedItem.commitId, version, true, () => envelopes as EventEnvelope<TEvent>[]);
  }
}

/** Whether a stored item was written by this very append call (its first event id is drawn afresh per call). */
function isFromThisCall(item: StoredEventItem, header: CommitHeader): boolean {
  return item.commitId === header.commitId && item.firstEventId === header.firstEventId;
}
