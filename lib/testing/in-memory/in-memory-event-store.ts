import type { EventBus } from '@nestjs/cqrs';
import type { Observable } from 'rxjs';
import { CommitIdReusedError } from '../../errors/commit-id-reused.error.js';
import { ConcurrencyError } from '../../errors/concurrency.error.js';
import { planCommit, type PackableEvent } from '../../event-store/commit-packer.js';
import { CommittedAppend } from '../../event-store/committed-append.js';
import { envelopesOf, type StoredEventItem } from '../../event-store/event-item.codec.js';
import type { EventStore } from '../../event-store/event-store.js';
import { ANY, NO_STREAM, STREAM_EXISTS, type ExpectedVersion } from '../../event-store/expected-version.js';
import {
  assertStreamId,
  resolveReadOptions,
} from '../../event-store/input-validation.js';
import { unbatch } from '../../event-store/batched-iterable.js';
import type { AppendOptions } from '../../event-store/interfaces/append-options.interface.js';
import type { AppendResult } from '../../event-store/interfaces/append-result.interface.js';
import type { EventEnvelope } from '../../event-store/interfaces/event-envelope.interface.js';
import type { ReadOptions } from '../../event-store/interfaces/read-options.interface.js';
import type { FeedEvent } from '../../feed/interfaces/feed-event.interface.js';
import type { ReplayAllOptions } from '../../feed/interfaces/replay-all-options.interface.js';
import { parseCommitMetadata } from '../../metadata/commit-metadata.js';
import { rememberAppended } from '../../metadata/envelope-of.js';
import { resolveModuleOptions } from '../../options/resolve-module-options.js';
import { CommittedEventsPublisher } from '../../publishing/committed-events.publisher.js';
import type { ReplayAllHandlerOptions } from '../../replay/interfaces/replay-all-handler-options.interface.js';
import type { ReplayAllResult } from '../../replay/interfaces/replay-all-result.interface.js';
import type { ReplayHandlerOptions } from '../../replay/interfaces/replay-handler-options.interface.js';
import type { ReplayOptions } from '../../replay/interfaces/replay-options.interface.js';
import type { ReplayResult } from '../../replay/interfaces/replay-result.interface.js';
import type { EventsOfTypes, EventTypeList, ReplayedEvent } from '../../replay/interfaces/selected-event.interface.js';
import { pagedObservable } from '../../replay/paged-observable.js';
import { eventsOfPages, type FeedReplayPage, type StreamReplay } from '../../replay/replay-pages.js';
import { replayAllWithHandler, replayWithHandler } from '../../replay/replay-with-handler.js';
import { resolveReplayOptions } from '../../replay/resolve-replay-options.js';
import { eventIdSequence } from '../../serialization/event-id.js';
import { EventTypeRegistry } from '../../serialization/event-type-registry.js';
import { prepareAppend } from '../../event-store/prepared-append.js';
import { forgetSubjectOf, linkPersonalData, sealPersonalData } from '../../personal-data/personal-data-links.js';
import type { PersonalDataService } from '../../personal-data/personal-data-service.js';
import type { InMemoryDataKeyTable } from './in-memory-data-key-table.js';
import { createInMemoryPersonalData, withInMemoryPersonalData } from './in-memory-personal-data.js';
import { InMemoryEventLog } from './in-memory-event-log.js';
import { InMemoryFeedReader } from './in-memory-feed-reader.js';
import { FeedDisabledError } from '../../errors/feed-disabled.error.js';
import type { DeleteStreamOptions } from '../../lifecycle/interfaces/delete-stream-options.interface.js';
import type { ErasureReport } from '../../lifecycle/interfaces/erasure-report.interface.js';
import type { StreamMetadata, StreamRetentionInput } from '../../lifecycle/interfaces/stream-metadata.interface.js';
import { InMemoryStreamLifecycle, keptByRetention } from './in-memory-stream-lifecycle.js';
import type { InMemoryEventStoreOptions } from './interfaces/in-memory-event-store-options.interface.js';
import type { PublicApiOf } from './public-api-of.js';

/** Where an append lands, or the stored commit it repeats. */
type Position = { start: number; duplicateOf?: undefined } | { start?: undefined; duplicateOf: StoredEventItem };

/**
 * An {@link EventStore} in memory, for unit tests: the same methods with the same semantics, and no
 * DynamoDB. Expected versions and `ConcurrencyError`s (exactly one of racing appends wins), idempotent
 * `commitId`s and `CommitIdReusedError`, every input check and typed error before anything is
 * stored (including DynamoDB's size limits), metadata, correlation and causation ids, `envelopeOf`,
 * publishing on the EventBus, `read`, `replay$` and `replayAll$` with their paging and checkpoints,
 * and the stream lifecycle: soft and hard deletes (the feed delivers them as `StreamDeleted`),
 * truncation and retention by count and age (by `lifecycle.clock`), on every read; and, with the
 * `personalData` option, crypto-shredding: personal fields stored sealed by the DynamoDB store's own
 * code, opened on every read and in the feed, `REDACTED` once `forgetSubject` deleted their key.
 * Events are stored as the JSON the DynamoDB store writes and read back through the same codec, so
 * an unregistered class or a payload JSON cannot carry fails here as it would there, and reads hand
 * out fresh instances (upcast like stored ones).
 *
 * The global feed needs no indexer: a `replayAll$` sees every commit made before it started.
 * Each instance is its own empty store; nothing is shared between instances.
 *
 * ```ts
 * const store = new InMemoryEventStore({ events: [AccountOpened, MoneyDeposited] });
 * await store.append('account-1', [new AccountOpened('1', 'ann')], { expectedVersion: NO_STREAM });
 * for await (const { event, version } of store.read('account-1')) console.log(version, event);
 * ```
 *
 * In a Nest app, `InMemoryEventSourcingModule.forRoot()` provides it as the `EventStore`.
 */
export class InMemoryEventStore implements PublicApiOf<EventStore> {
  /**
   * The event type registry the store encodes and decodes with.
   * @internal shared with the testing module's runtime, into which `forFeature({ events })` registers.
   */
  readonly registry: EventTypeRegistry;
  private readonly log = new InMemoryEventLog();
  private readonly feed: InMemoryFeedReader;
  private readonly lifecycle: InMemoryStreamLifecycle;
  /** Unix milliseconds now (`lifecycle.clock`): commits are stamped by it, and `maxAge` measured. */
  private readonly clock: () => number;
  private readonly publisher: CommittedEventsPublisher;
  private readonly publishByDefault: boolean;
  /** Off with `feed: false`, as in the DynamoDB store, so a unit test does not pass where production would throw. */
  private readonly feedOn: boolean;
  /**
   * Crypto-shredding, with the `personalData` option.
   * @internal shared with the testing module's runtime (sealed aggregate snapshots).
   */
  readonly personalData?: PersonalDataService;
  /**
   * The keys table in memory, with the `personalData` option: each subject's item (a wrapped data
   * key, or a forgotten marker), to look at, or to delete one and see what a lost key does.
   */
  readonly personalDataKeys?: InMemoryDataKeyTable;

  /** @throws InvalidModuleOptionsError for bad options, as `DynamoEventSourcingModule.forRoot()` would. */
  constructor(options: InMemoryEventStoreOptions = {}) {
    const { eventBus, snapshotRepository, ...moduleOptions } = options ?? {};
    const { events, publishEvents, feed, lifecycle, personalData } = resolveModuleOptions(withInMemoryPersonalData(moduleOptions) as never);
    this.feedOn = feed !== undefined;
    this.registry = new EventTypeRegistry(events);
    this.clock = lifecycle.clock;
    if (personalData !== undefined) {
      const { service, keys } = createInMemoryPersonalData(personalData, events, this.clock);
      this.personalData = service;
      this.personalDataKeys = keys;
      // Appends and forgetSubject find it by the registry, as in the DynamoDB store (the log stands for the client).
      linkPersonalData(service, { registry: this.registry, client: this.log, eventsTable: this.log.indexId });
    }
    this.feed = new InMemoryFeedReader(this.log, this.registry, (commits) => this.withKeys(commits));
    this.lifecycle = new InMemoryStreamLifecycle(this.log, this.clock, snapshotRepository && ((streamId) => snapshotRepository.delete(streamId)));
    this.publisher = new CommittedEventsPublisher(eventBus as EventBus | undefined);
    this.publishByDefault = publishEvents;
  }

  /**
   * Appends `events` to the stream atomically, if the stream is at `expectedVersion`.
   * See {@link EventStore.append}.
   *
   * @throws ConcurrencyError when the stream is not at the expected version (nothing stored).
   * @throws InvalidArgumentError, EventNotSerializableError, EventTooLargeError, CommitTooLargeError,
   *   UnregisteredEventClassError on bad input, before anything is stored.
   * @throws CommitIdReusedError when a stored commit id comes with other events.
   * @throws StreamDeletedError when the stream was hard-deleted (nothing stored).
   */
  async append<TEvent extends object>(streamId: string, events: readonly TEvent[], options: AppendOptions): Promise<AppendResult<TEvent>> {
    // The checks, metadata and serialization of EventStore.append: the same bad input gets the same error.
    const prepared = prepareAppend(streamId, events, options, this.registry);
    // Personal fields sealed (or refused) as the DynamoDB store seals them, before the limits are checked on what is stored.
    await sealPersonalData(prepared, this.registry);
    const { expectedVersion, callerCommitId, commit: header, packable } = prepared;
    const publish = options.publish ?? this.publishByDefault;
    const { commitId, firstEventId, metadataJson } = header;
    // DynamoDB's item and transaction limits, as the DynamoDB store checks them.
    planCommit({ streamId, commitId, firstEventId, metadataJson }, packable);

    // No await from here on: checking the expected version and storing the commit are one atomic step,
    // as DynamoDB's conditional write is, so of racing appends at one version exactly one wins.
    const position = this.positionFor(streamId, expectedVersion, callerCommitId);
    if (position.duplicateOf !== undefined) {
      await this.withKeys([position.duplicateOf]); // the result holds its events, decoded
      return this.duplicate(position.duplicateOf, packable);
    }
    const commit: StoredEventItem = {
      streamId,
      version: position.start,
      lastVersion: position.start + events.length - 1,
      commitId,
      committedAt: this.log.nextCommitTime(streamId, this.clock()),
      firstEventId,
      events: `[${packable.map((event) => event.entry).join(',')}]`,
      metadata: metadataJson,
    };
    this.log.add(commit);
    const result = this.committed(commit, events, packable);
    rememberAppended(events, result); // before publishing: handlers may ask for envelopeOf(event)
    if (publish) this.publisher.publish(events);
    return result;
  }

  /**
   * Forgets a data subject, as {@link EventStore.forgetSubject}: its data key is replaced by a
   * forgotten marker in the in-memory keys table, so its sealed fields read as `REDACTED` from now
   * on (events, the feed, sealed snapshots) and appends of its personal data are refused.
   *
   * @throws InvalidArgumentError (INVALID_SUBJECT_ID) for a bad subject id; PersonalDataDisabledError
   *   without the `personalData` option. Nothing is changed in either case.
   */
  forgetSubject(subjectId: string): Promise<ErasureReport> {
    return forgetSubjectOf(this.registry, subjectId);
  }

  /**
   * Whether `version` ends a commit of the stream. In memory this is known for every stream.
   * @internal for the aggregate repository, as {@link EventStore.isKnownCommitEnd}.
   */
  /**
   * What the stream's retention keeps now, as {@link EventStore.keptRange}.
   * @internal for the aggregate repository.
   */
  async keptRange(streamId: string): Promise<{ firstKept: number; lastVersion: number }> {
    return { firstKept: this.lifecycle.windowOf(streamId).first, lastVersion: this.log.head(streamId)?.lastVersion ?? 0 };
  }

  isKnownCommitEnd(streamId: string, version: number): boolean {
    return this.log.endsCommit(streamId, version);
  }

  /**
   * A stream's events as an async iterable of envelopes: exactly the requested version range,
   * `'forward'` (default) or `'backward'`. Lazy and re-iterable, as {@link EventStore.read};
   * `pageSize` is checked and otherwise has no effect in memory. Only the events the stream's
   * retention keeps when the iteration starts; none of a soft-deleted stream.
   *
   * @throws InvalidArgumentError (at once) on a bad stream id or options; StreamDeletedError (when
   *   iterated) for a hard-deleted stream.
   */
  read<TEvent extends object = object>(streamId: string, options?: ReadOptions): AsyncIterable<EventEnvelope<TEvent>> {
    assertStreamId(streamId);
    const { fromVersion, toVersion, direction } = resolveReadOptions(options);
    return unbatch(
      () =>
        (direction === 'forward'
          ? this.readForward(streamId, fromVersion, toVersion)
          : this.readBackward(streamId, fromVersion, toVersion)) as AsyncGenerator<EventEnvelope<TEvent>[]>,
    );
  }

  /**
   * Replays a stream, oldest first, as a cold Observable, paged as {@link EventStore.replay$} pages
   * it: a page holds the commits starting within the next `pageSize` versions, and is read only
   * once every event of the previous page has been handled (use `handleInOrder` for async
   * handlers, directly on this Observable). `eventTypes` filters and types it as there.
   *
   * @throws InvalidArgumentError (at once) on a bad stream id or options.
   */
  replay$<TEvent extends object = never, TTypes extends EventTypeList = EventTypeList>(
    streamId: string,
    options: ReplayOptions<TTypes>,
  ): Observable<EventEnvelope<ReplayedEvent<TEvent, TTypes>>> {
    const { pages } = this.streamReplay<ReplayedEvent<TEvent, TTypes>>(streamId, options);
    return pagedObservable(() => eventsOfPages(pages()));
  }

  /**
   * Replays a stream calling `handler` with each envelope, one at a time, awaiting it, a page at a
   * time, as {@link EventStore.replay} does; resolves to `{ eventsHandled, lastVersion }`.
   *
   * @throws (as a rejection) InvalidArgumentError on a bad stream id, handler or options.
   */
  async replay<TTypes extends EventTypeList = EventTypeList>(
    streamId: string,
    handler: (envelope: EventEnvelope<EventsOfTypes<TTypes>>) => unknown,
    options: ReplayHandlerOptions<TTypes>,
  ): Promise<ReplayResult> {
    return replayWithHandler((rest) => this.streamReplay<EventsOfTypes<TTypes>>(streamId, rest), handler, options);
  }

  /**
   * Every committed event of every stream, in the feed's order (in memory, the order of the
   * appends), each with the checkpoint to resume after it, in the same checkpoint format as
   * {@link EventStore.replayAll$} (with this store's own index id), paged the same way, with the
   * same filters. Reads every commit made before it is subscribed to, then completes.
   *
   * @throws InvalidArgumentError, FeedCheckpointMismatchError for a 0.3 checkpoint (at once) for bad
   *   options; the Observable errors with FeedCheckpointMismatchError for a checkpoint of another store.
   */
  replayAll$<TEvent extends object = never, TTypes extends EventTypeList = EventTypeList>(
    options: ReplayAllOptions<TTypes>,
  ): Observable<FeedEvent<ReplayedEvent<TEvent, TTypes>>> {
    const pages = this.feedReplay<ReplayedEvent<TEvent, TTypes>>(options);
    return pagedObservable(() => eventsOfPages(pages()));
  }

  /**
   * The global feed, calling `handler` with each event, one at a time, awaiting it, a page at a
   * time, as {@link EventStore.replayAll} does; resolves to `{ eventsHandled, checkpoint }`.
   *
   * @throws (as a rejection) InvalidArgumentError, FeedCheckpointMismatchError, FeedDisabledError
   *   as {@link replayAll$} throws them.
   */
  async replayAll<TTypes extends EventTypeList = EventTypeList>(
    handler: (envelope: FeedEvent<EventsOfTypes<TTypes>>) => unknown,
    options: ReplayAllHandlerOptions<TTypes>,
  ): Promise<ReplayAllResult> {
    return replayAllWithHandler((rest) => this.feedReplay<EventsOfTypes<TTypes>>(rest), handler, options);
  }

  /**
   * Deletes a stream if it is at `expectedVersion`: `soft` (the default) hides its events from every
   * read, and appends at `NO_STREAM`, `0` or `ANY` continue after the deletion; `hard` erases them and
   * their feed entries (and snapshots, with the module's `snapshots` option), and refuses every later
   * read and append. The feed delivers the deletion as a `StreamDeleted` event. See {@link EventStore.deleteStream}.
   *
   * @throws InvalidArgumentError on a bad stream id or options; ConcurrencyError when the stream is
   *   at another version or has no events (nothing changed); StreamDeletedError when it was hard-deleted.
   */
  async deleteStream(streamId: string, options: DeleteStreamOptions): Promise<ErasureReport> {
    return this.lifecycle.delete(streamId, options);
  }

  /**
   * Hides the stream's events below version `before` from every read (`truncateBefore` only ever
   * rises); resolves to the stream's metadata. See {@link EventStore.truncateStream}.
   * @throws InvalidArgumentError on bad input; StreamDeletedError when the stream was hard-deleted.
   */
  async truncateStream(streamId: string, options: { before: number }): Promise<StreamMetadata> {
    return this.lifecycle.truncate(streamId, options);
  }

  /**
   * Sets the stream's retention (`maxAge` in ms, `maxCount`, `truncateBefore`; a field left out is
   * kept, `null` removes a limit); reads apply it at once. See {@link EventStore.setStreamMetadata}.
   * @throws InvalidArgumentError on bad input; StreamDeletedError when the stream was hard-deleted.
   */
  async setStreamMetadata(streamId: string, metadata: StreamRetentionInput): Promise<StreamMetadata> {
    return this.lifecycle.set(streamId, metadata);
  }

  /** The stream's retention and deletion state, `{}` for a stream without any. @throws InvalidArgumentError on a bad stream id. */
  async getStreamMetadata(streamId: string): Promise<StreamMetadata> {
    return this.lifecycle.get(streamId);
  }

  /** A stream replay's pages (checked at once, read when iterated), for both forms of replay. */
  private streamReplay<TEvent extends object>(streamId: string, options: ReplayOptions): StreamReplay<TEvent> {
    assertStreamId(streamId);
    const { fromVersion, toVersion, pageSize, include } = resolveReplayOptions(options, this.registry);
    const { log, registry, lifecycle } = this;
    const withKeys = (commits: StoredEventItem[]) => this.withKeys(commits);
    async function* pages(): ReturnType<StreamReplay<TEvent>['pages']> {
      // The retention as the replay starts (as the DynamoDB store reads it with the first page).
      const window = lifecycle.windowOf(streamId);
      for (let next = Math.max(fromVersion, window.first); next <= toVersion; ) {
        // What one DynamoDB Query over the next pageSize versions finds: the commit holding `next`,
        // and every commit starting up to `next + pageSize - 1`, whole (up to toVersion).
        const upper = Math.min(toVersion, next + pageSize - 1);
        const commits = log.commitsOf(streamId);
        const page: StoredEventItem[] = [];
        let lastVersion = next - 1;
        for (let i = log.indexHolding(streamId, next); i < commits.length && commits[i]!.version <= upper; i++) {
          if (keptByRetention(commits[i]!, window)) page.push(commits[i]!);
          lastVersion = Math.min(commits[i]!.lastVersion, toVersion);
        }
        if (lastVersion < next) return; // the stream ends before `next`
        // Other types (with `eventTypes`) are skipped undecoded, as the DynamoDB store skips them.
        const events = (await withKeys(page)).flatMap((commit) => envelopesOf(commit, registry, next, toVersion, include) as EventEnvelope<TEvent>[]);
        yield { events, lastVersion };
        next = lastVersion + 1;
      }
    }
    return { fromVersion, pages };
  }

  /** A feed replay's pages (checked at once, read when iterated), for both forms of replayAll. */
  private feedReplay<TEvent extends object>(options: ReplayAllOptions): () => AsyncGenerator<FeedReplayPage<TEvent>> {
    if (!this.feedOn) throw new FeedDisabledError();
    const feed = this.feed;
    feed.resolve(options);
    return async function* pages(): AsyncGenerator<FeedReplayPage<TEvent>> {
      for await (const page of feed.pages(options)) {
        yield page as FeedReplayPage<object> as FeedReplayPage<TEvent>;
        // The last page comes once every earlier one has been handled.
        if (page.caughtUp) options.onCaughtUp?.(page.checkpoint);
      }
    };
  }

  /** Where the append lands, decided as the DynamoDB store decides it in a process that has not seen the stream. */
  private positionFor(streamId: string, expected: ExpectedVersion, callerCommitId?: string): Position {
    const state = this.lifecycle.appendState(streamId); // throws for a hard-deleted stream
    if (state.kind === 'hidden') {
      // A retry of the commit the deletion came right after: it landed, and is not written again.
      const commits = this.log.commitsOf(streamId);
      const beforeTombstone = commits.at(-2);
      if (callerCommitId !== undefined && beforeTombstone?.commitId === callerCommitId) return { duplicateOf: beforeTombstone };
      // Soft-deleted: it reads as empty (version 0), and a stream at 0 is appended to after the tombstone.
      if (expected === NO_STREAM || expected === 0 || expected === ANY) return { start: state.next };
      throw new ConcurrencyError(streamId, expected, 0);
    }
    const head = this.log.head(streamId);
    const version = head?.lastVersion ?? 0;
    const repeats = (commit: StoredEventItem | undefined): commit is StoredEventItem =>
      callerCommitId !== undefined && commit?.commitId === callerCommitId;
    if (expected === NO_STREAM || expected === 0) {
      // After a soft delete, the stream's first commit is the one after the tombstone.
      const first = this.log.commitStartingAt(streamId, state.firstVersion);
      if (first === undefined) return { start: 1 };
      if (repeats(first)) return { duplicateOf: first };
      throw new ConcurrencyError(streamId, expected, version);
    }
    if (repeats(head)) return { duplicateOf: head };
    if (expected === ANY) return { start: version + 1 };
    if (expected === STREAM_EXISTS) {
      if (version === 0) throw new ConcurrencyError(streamId, expected, 0);
      return { start: version + 1 };
    }
    if (version === expected) return { start: expected + 1 };
    // A retry of a commit that did land at expected + 1, with others appended since.
    const landed = version > expected ? this.log.commitStartingAt(streamId, expected + 1) : undefined;
    if (repeats(landed)) return { duplicateOf: landed };
    throw new ConcurrencyError(streamId, expected, version);
  }

  /**
   * Reads the keys table for the sealed values of these commits, now (as the DynamoDB store does for
   * each page), so that their decoding opens them, or redacts those of forgotten subjects. Returns them.
   */
  private async withKeys(commits: StoredEventItem[]): Promise<StoredEventItem[]> {
    return this.personalData === undefined ? commits : this.personalData.prefetch(commits);
  }

  private committed<TEvent extends object>(commit: StoredEventItem, events: readonly TEvent[], packable: readonly PackableEvent[]): AppendResult<TEvent> {
    return new CommittedAppend(commit.streamId, commit.commitId, commit.lastVersion, false, () => {
      // From the stored JSON: a deep, frozen copy that the caller's later changes cannot reach.
      const { metadata, correlationId, causationId } = parseCommitMetadata(commit.metadata);
      const idAt = eventIdSequence(commit.firstEventId);
      return events.map((event, i) => ({
        event,
        eventType: packable[i]!.type,
        eventId: idAt(i),
        streamId: commit.streamId,
        version: commit.version + i,
        occurredAt: new Date(commit.committedAt),
        commitId: commit.commitId,
        correlationId,
        causationId,
        metadata,
      }));
    });
  }

  /** The result of a commit stored earlier under the same commit id; nothing is stored or published. */
  private duplicate<TEvent extends object>(stored: StoredEventItem, packable: readonly PackableEvent[]): AppendResult<TEvent> {
    // A true retry carries byte-identical events; anything else under the same commit id is a mistake to report.
    if (stored.events.slice(1, -1) !== packable.map((event) => event.entry).join(',')) {
      throw new CommitIdReusedError(stored.streamId, stored.commitId);
    }
    const envelopes = envelopesOf(stored, this.registry) as EventEnvelope<TEvent>[];
    return new CommittedAppend(stored.streamId, stored.commitId, stored.lastVersion, true, () => envelopes);
  }

  private async *readForward(streamId: string, fromVersion: number, to: number): AsyncGenerator<EventEnvelope[]> {
    const window = this.lifecycle.windowOf(streamId);
    const from = Math.max(fromVersion, window.first);
    const commits = this.log.commitsOf(streamId);
    for (let i = this.log.indexHolding(streamId, from); i < commits.length && commits[i]!.version <= to; i++) {
      const commit = commits[i]!;
      if (!keptByRetention(commit, window)) continue;
      await this.withKeys([commit]);
      yield envelopesOf(commit, this.registry, from, to);
    }
  }

  private async *readBackward(streamId: string, fromVersion: number, to: number): AsyncGenerator<EventEnvelope[]> {
    const window = this.lifecycle.windowOf(streamId);
    const from = Math.max(fromVersion, window.first);
    const commits = this.log.commitsOf(streamId);
    for (let i = Math.min(this.log.indexHolding(streamId, to), commits.length - 1); i >= 0 && commits[i]!.lastVersion >= from; i--) {
      const commit = commits[i]!;
      if (!keptByRetention(commit, window)) continue;
      await this.withKeys([commit]);
      yield envelopesOf(commit, this.registry, from, to).reverse();
    }
  }
}

