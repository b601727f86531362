import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { ConcurrencyError } from '../errors/concurrency.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { rememberAppended } from '../metadata/envelope-of.js';
import { CommittedEventsPublisher } from '../publishing/committed-events.publisher.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { commitItems, planCommit, type CommitHeader } from './commit-packer.js';
import { prepareAppend } from './prepared-append.js';
import { type StoredEventItem } from './event-item.codec.js';
import { EventStreamTable } from './event-stream-table.js';
import { ANY, NO_STREAM, STREAM_EXISTS } from './expected-version.js';
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
import { StreamReader } from './stream-reader.js';
import { CommitWriter, type WriteAttempts } from './commit-writer.js';
import { unbatch } from './batched-iterable.js';
import { committedAppend, duplicateOf } from './committed-append.js';
import type { CommitNotifier } from '../feed/commit-notifier.js';
import { createFeedReader, type FeedReader } from '../feed/feed-reader.js';
import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from '../feed/interfaces/replay-all-options.interface.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { noteRetry } from '../telemetry/active-operation.js';
import { readAttributes } from '../telemetry/operation-attributes.js';
import { SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { attachTelemetry } from '../telemetry/telemetry-of.js';
import type { PreparedAppend } from './prepared-append.js';
import { forgetSubjectOf, sealPersonalData } from '../personal-data/personal-data-links.js';
import type { REDACTED } from '../personal-data/sealed-value.js';
import type { ErasureReport } from '../lifecycle/interfaces/erasure-report.interface.js';
import type { DeleteStreamOptions } from '../lifecycle/interfaces/delete-stream-options.interface.js';
import type { StreamMetadata, StreamRetentionInput } from '../lifecycle/interfaces/stream-metadata.interface.js';
import { StreamDeletedError } from '../errors/stream-deleted.error.js';
import { StreamLifecycle } from '../lifecycle/stream-lifecycle.js';
import { StreamLifecycleTable } from '../lifecycle/stream-lifecycle-table.js';
import { StreamRetention } from '../lifecycle/retention-window.js';
import { createStreamEraser } from '../lifecycle/stream-eraser.factory.js';
import { BoundaryTrustExpired } from './boundary-trust-expired.js';
import { AppendPositions, visibleVersion, writeWindowMs } from './append-positions.js';


/**
 * An 'any' or 'stream-exists' append that loses a race re-reads the head and tries again. Each
 * loss means another writer succeeded, so the stream always moves; this only bounds starvation.
 */
const MAX_POSITION_RETRIES = 100;

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
  /** How long after its head read a write may still be sent (a deletion's purge fence is at least this long). */
  private readonly writeWindowMs: number;
  /** Where each append lands: from the cache, or the stream's head. */
  private readonly positions: AppendPositions;
  /** Hears of this process's commits: the feed may have advanced (projections read it again). */
  private readonly commits: CommitNotifier;
  private readonly feedReader?: FeedReader;
  /** Spans and metrics (the no-op without OpenTelemetry); the aggregate repositories find it with telemetryOf(store). */
  private readonly telemetry: Telemetry;
  /** The pages of replay$, replay, replayAll$ and replayAll. */
  private readonly replays: EventStoreReplays;
  /** Deletion, truncation and retention of streams. */
  private readonly lifecycle: StreamLifecycle;
  /** Where reads learn what a stream's retention keeps. */
  private readonly retention: StreamRetention;
  /** Commit times (and `maxAge`) are by this clock: `lifecycle.clock`, `Date.now` unless a test injects one. */
  private readonly clock: () => number;

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
    this.writeWindowMs = writeWindowMs(trustMs);
    this.boundaries = new StreamBoundaryCache({ trustMs, maxStreams });
    this.positions = new AppendPositions(this.table, this.boundaries, verifyEveryAppend);
    this.clock = runtime.options.lifecycle.clock;
    const lifecycleTable = new StreamLifecycleTable(runtime.client, runtime.options.eventsTable, runtime.options.retry);
    this.retention = new StreamRetention(lifecycleTable, this.table, runtime.options.lifecycle.clock);
    this.reader = new StreamReader(this.table, this.registry, this.boundaries, this.retry, this.retention);
    this.lifecycle = new StreamLifecycle(lifecycleTable, this.table, createStreamEraser(runtime, lifecycleTable), (id) => this.boundaries.forget(id));
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
    await sealPersonalData(prepared, this.registry); // personal fields sealed before the commit is planned: the limits apply to what is stored
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

    let readHead = false; // after a conflict or an expired trust: the next position comes from the stream's head
    for (let retry = 0; ; retry++) {
      const position = await this.positions.of(streamId, expectedVersion, callerCommitId, readHead);
      const attempts: WriteAttempts = { made: 0, unanswered: false }; // write attempts at this position
      if (position.duplicateOf !== undefined) return duplicateOf<TEvent>(position.duplicateOf, packable, this.reader, this.registry);
      // A position from the cache is sent only while the cache still trusts it, each SDK attempt included: a deletion's
      // purge fence relies on no append trusting a boundary longer than trustMs (see lib/lifecycle/stream-eraser.ts).
      const { trusted, observedAt } = position;
      const stillTrusted =
        trusted !== undefined
          ? () => this.boundaries.trusts(streamId, trusted)
          : observedAt !== undefined
            ? // A head read's answer ages too: a write relying on it is sent within the same window, or reads the head again.
              () => this.boundaries.time() - observedAt < this.writeWindowMs
            : undefined; // a blind write at key 1, which is never freed

      // Informational only (the envelopes' occurredAt; the feed's order is the index's, not a clock's):
      // never before the commit it follows, so that occurredAt does not go back within a stream.
      const header: CommitHeader = { ...commit, committedAt: Math.max(this.clock(), (position.previousAt ?? 0) + 1) };
      let conflict: Awaited<ReturnType<CommitWriter['write']>>;
      let sentAt: number;
      try {
        sentAt = this.boundaries.time();
        conflict = await this.writer.write(commitItems(plan, packable, header, position.start), header, position.start, attempts, stillTrusted);
      } catch (error) {
        if (!(error instanceof BoundaryTrustExpired)) throw error;
        readHead = true;
        continue;
      }
      // The SDK retried a request whose first attempt landed (its response was lost): the item is this very call's.
      const landedEarlier = conflict?.existing !== undefined && isFromThisCall(conflict.existing, header);
      if (conflict === undefined || landedEarlier) {
        const version = position.start + events.length - 1;
        const lastItemStart = position.start + plan.slices.at(-1)![0];
        this.boundaries.remember(streamId, { version: lastItemStart, lastVersion: version, commitId: header.commitId, committedAt: header.committedAt }, sentAt);
        this.commits.notify();
        const result = committedAppend(header, events, packable, position.start);
        rememberAppended(events, result); // before publishing (in append): handlers may ask for envelopeOf(event)
        return result;
      }
      if (conflict.existing?.commitId === header.commitId) return duplicateOf<TEvent>(conflict.existing, packable, this.reader, this.registry);
      if (expectedVersion !== ANY && expectedVersion !== STREAM_EXISTS) {
        // A NO_STREAM (or 0) append writes key 1 without reading: the key may be a soft-deleted stream's, which it continues.
        const head = await this.table.head(streamId);
        if (head.item?.deleted === 'hard') throw new StreamDeletedError(streamId, head.version - 1, new Date(head.item.committedAt));
        if (!(head.item?.deleted === 'soft' && (expectedVersion === NO_STREAM || expectedVersion === 0) && !readHead)) {
          throw new ConcurrencyError(streamId, expectedVersion, visibleVersion(head));
        }
        readHead = true;
        continue;
      }
      if (retry + 1 >= MAX_POSITION_RETRIES) {
        throw new RetriesExhaustedError(
          `Append to stream "${streamId}" with expected version '${expectedVersion}'`,
          retry + 1,
          'ConditionalCheckFailed (other writers appended first each time)',
        );
      }
      noteRetry('ConditionalCheckFailedException');
      readHead = true;
      if (retry > 0) await sleep(backoffDelay(Math.min(retry, 6), this.retry));
    }
  }

  /**
   * Deletes a stream, if it is at `expectedVersion` (else `ConcurrencyError`, nothing changed).
   * One transaction writes a tombstone right after the stream's last event and the stream's
   * metadata; from then on every process reads the stream as deleted, and no append, however
   * stale its cached version, can land among its events (the tombstone takes the next key).
   *
   * - `soft` (default): reads return nothing, as for a new stream; `NO_STREAM`, `0` and `ANY`
   *   appends continue it after the tombstone (versions go on from there). The events stay in the
   *   table until `streams purge` deletes them.
   * - `hard`: every later read, append or delete throws `StreamDeletedError`. After the purge fence
   *   (`lifecycle.purgeFenceMs`: `boundaryCache.trustMs` + 5 s by default) this call deletes the
   *   stream's items (a stub keeps key 1, the tombstone stays), its snapshots and its feed index
   *   entries, then resolves.
   *
   * The feed delivers a `StreamDeleted` event at the tombstone, for projections to forget the stream.
   * @returns the erasure report, for the records.
   * @throws InvalidArgumentError (`INVALID_DELETE_OPTIONS`, `INVALID_STREAM_ID`), before any request.
   */
  deleteStream(streamId: string, options: DeleteStreamOptions): Promise<ErasureReport> {
    return this.lifecycle.delete(streamId, options);
  }

  /**
   * Hides the stream's events below version `before` from every read, in every process at once
   * (`truncateBefore` only ever rises, and at most to the stream's version + 1). `streams purge`
   * deletes them later, with the snapshots they made useless.
   * @throws InvalidArgumentError (`INVALID_STREAM_METADATA`), StreamDeletedError.
   */
  truncateStream(streamId: string, options: { before: number }): Promise<StreamMetadata> {
    return this.lifecycle.truncate(streamId, options);
  }

  /**
   * Sets the stream's retention: `maxAge` (milliseconds since the commit), `maxCount` (newest
   * events kept), `truncateBefore` (a version). A field left out is kept; `null` removes a limit.
   * Reads apply it at once; `streams purge` deletes what it retires.
   * @throws InvalidArgumentError (`INVALID_STREAM_METADATA`) for a value that is not a whole number >= 1.
   */
  setStreamMetadata(streamId: string, metadata: StreamRetentionInput): Promise<StreamMetadata> {
    return this.lifecycle.setMetadata(streamId, metadata);
  }

  /** The stream's retention and deletion state (`{}` for a stream without any). */
  getStreamMetadata(streamId: string): Promise<StreamMetadata> {
    return this.lifecycle.getMetadata(streamId);
  }

  /**
   * Forgets a data subject (crypto-shredding): deletes its data key from the keys table, so that
   * the `@PersonalData` fields sealed with it read as {@link REDACTED} from now on, in events,
   * snapshots and the feed, in every process at its next read; appends of its personal data are
   * refused (`SubjectForgottenError`). The events stay; aggregates still load. Idempotent.
   *
   * @returns the erasure report (operation `subject.forget`), for the records.
   * @throws InvalidArgumentError (`INVALID_SUBJECT_ID`) for a subject id that is not a non-empty string.
   * @throws PersonalDataDisabledError when the module has no `personalData` option. Nothing is written in either case.
   */
  forgetSubject(subjectId: string): Promise<ErasureReport> {
    return forgetSubjectOf(this.registry, subjectId);
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
   * The first version the stream's retention keeps now (1 without any; past its end when deleted)
   * and the stream's last version. Lets the aggregate repository tell a snapshot at the stream's
   * head from one a deletion or a truncation left behind, when no event follows it.
   * @throws StreamDeletedError for a hard-deleted stream.
   * @internal
   */
  async keptRange(streamId: string): Promise<{ firstKept: number; lastVersion: number }> {
    const [window, head] = await Promise.all([this.retention.windowOf(streamId), this.table.head(streamId)]);
    return { firstKept: window.first, lastVersion: head.version };
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
}

/** Whether a stored item was written by this very append call (its first event id is drawn afresh per call). */
function isFromThisCall(item: StoredEventItem, header: CommitHeader): boolean {
  return item.commitId === header.commitId && item.firstEventId === header.firstEventId;
}
