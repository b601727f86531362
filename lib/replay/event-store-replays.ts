import { FeedDisabledError } from '../errors/feed-disabled.error.js';
import { assertStreamId } from '../event-store/input-validation.js';
import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';
import type { CarriedSpan, StreamReader } from '../event-store/stream-reader.js';
import type { FeedReader } from '../feed/feed-reader.js';
import type { ReplayAllOptions } from '../feed/interfaces/replay-all-options.interface.js';
import { resolveFeedReadOptions } from '../feed/resolve-feed-read-options.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { streamAttributes } from '../telemetry/operation-attributes.js';
import { SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { ReplayOptions } from './interfaces/replay-options.interface.js';
import type { FeedReplayPage, StreamReplay } from './replay-pages.js';
import { resolveReplayOptions } from './resolve-replay-options.js';

/**
 * The pages the EventStore's replays read (`replay$` and `replay` of a stream, `replayAll$` and
 * `replayAll` of the feed): options checked at once, nothing read until the pages are iterated,
 * one page read only when the one before has been handed out, each page a span.
 */
export class EventStoreReplays {
  constructor(
    private readonly reader: StreamReader,
    private readonly registry: EventTypeRegistry,
    private readonly feedReader: FeedReader | undefined,
    private readonly telemetry: Telemetry,
  ) {}

  /** A stream replay's pages. @throws InvalidArgumentError on a bad stream id or options. */
  stream<TEvent extends object>(streamId: string, options: ReplayOptions): StreamReplay<TEvent> {
    assertStreamId(streamId);
    const { fromVersion, toVersion, pageSize, include } = resolveReplayOptions(options, this.registry);
    const reader = this.reader;
    async function* pages(): ReturnType<StreamReplay<TEvent>['pages']> {
      // What each page's read learns for the next: the item it ended with, and how far commits are known to reach.
      const carried: CarriedSpan = { committedUpTo: 0 };
      for (let next = fromVersion; next <= toVersion; ) {
        const events: EventEnvelope<TEvent>[] = [];
        const before = carried.previous;
        // Events of other types (with `eventTypes`) are skipped undecoded; the page still reads up to its last item.
        for await (const envelopes of reader.forward(streamId, next, toVersion, pageSize, pageSize, carried, include)) {
          for (const envelope of envelopes) events.push(envelope as EventEnvelope<TEvent>);
        }
        const last = carried.previous;
        if (last === undefined || last === before) {
          // The stream ends before `next`, or was hard-deleted under the replay (its next span finds nothing either).
          if (before !== undefined) await reader.assertNotDeleted(streamId);
          return;
        }
        const lastVersion = Math.min(last.lastVersion, toVersion);
        yield { events, lastVersion };
        next = lastVersion + 1;
      }
    }
    return { fromVersion, pages: () => this.telemetry.tracePages(SpanName.replayPage, () => streamAttributes(streamId), pages(), (page) => page.events.length) };
  }

  /** A feed replay's pages. @throws InvalidArgumentError, FeedCheckpointMismatchError, FeedDisabledError. */
  feed<TEvent extends object>(options: ReplayAllOptions): () => AsyncGenerator<FeedReplayPage<TEvent>> {
    if (this.feedReader === undefined) throw new FeedDisabledError();
    const reader = this.feedReader;
    resolveFeedReadOptions(options, this.registry); // mistakes throw here, before any request
    // Each option read once, and only the public ones.
    const { from, pageSize, eventTypes, streamPrefix, onCaughtUp } = options;
    const read = { from, pageSize, eventTypes, streamPrefix };
    async function* pages(): AsyncGenerator<FeedReplayPage<TEvent>> {
      for await (const page of reader.pages(read)) {
        // Empty pages too (everything filtered out): each pull is a chance to stop after an unsubscribe.
        yield page as FeedReplayPage<object> as FeedReplayPage<TEvent>;
        // The last page comes once every earlier one has been handled: the index head the read started at is reached.
        if (page.caughtUp) onCaughtUp?.(page.checkpoint);
      }
    }
    return () => this.telemetry.tracePages(SpanName.feedPage, undefined, pages(), (page) => page.events.length);
  }
}
