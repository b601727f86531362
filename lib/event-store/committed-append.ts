import { CommitIdReusedError } from '../errors/commit-id-reused.error.js';
import { parseCommitMetadata } from '../metadata/commit-metadata.js';
import { eventIdSequence } from '../serialization/event-id.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import type { CommitHeader, PackableEvent } from './commit-packer.js';
import { commitEnd, envelopesOf, type EventItemHeader } from './event-item.codec.js';
import type { AppendResult } from './interfaces/append-result.interface.js';
import type { EventEnvelope } from './interfaces/event-envelope.interface.js';
import type { StreamReader } from './stream-reader.js';

/** An {@link AppendResult} whose envelopes are built on first use: most callers only need the version. */
export class CommittedAppend<TEvent extends object> implements AppendResult<TEvent> {
  #envelopes?: ReadonlyArray<EventEnvelope<TEvent>>;
  readonly #build: () => ReadonlyArray<EventEnvelope<TEvent>>;

  constructor(
    readonly streamId: string,
    readonly commitId: string,
    readonly version: number,
    readonly duplicate: boolean,
    envelopes: () => ReadonlyArray<EventEnvelope<TEvent>>,
  ) {
    this.#build = envelopes;
  }

  get envelopes(): ReadonlyArray<EventEnvelope<TEvent>> {
    return (this.#envelopes ??= this.#build());
  }
}

/** The result of an append just written at `start`; its envelopes are built from the header when asked for. */
export function committedAppend<TEvent extends object>(header: CommitHeader, events: readonly TEvent[], packable: readonly PackableEvent[], start: number): AppendResult<TEvent> {
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

/**
 * The result of a commit stored earlier under the same commit id; nothing new is written or
 * published. Its end is not remembered as a boundary: the commit may be old, and only a stream's
 * head may be newly trusted (a deletion's purge fence relies on that).
 * @throws CommitIdReusedError when the stored commit holds other events.
 */
export async function duplicateOf<TEvent extends object>(
  storedItem: EventItemHeader,
  packable: readonly PackableEvent[],
  reader: StreamReader,
  registry: EventTypeRegistry,
): Promise<AppendResult<TEvent>> {
  const items = await reader.itemsOfCommit(storedItem);
  // A true retry carries byte-identical events; anything else under the same commit id is a mistake to report.
  const stored = items.map((item) => item.events.slice(1, -1)).join(',');
  const sent = packable.map((event) => event.entry).join(',');
  // A commit 0.3 stored (no Dates listed) retried now: the same events, as 0.3 wrote them.
  const sentBy03 = packable.some((event) => event.withoutDates !== undefined) ? packable.map((event) => event.withoutDates ?? event.entry).join(',') : sent;
  if (stored !== sent && stored !== sentBy03) {
    throw new CommitIdReusedError(storedItem.streamId, storedItem.commitId);
  }
  const envelopes = items.flatMap((item) => envelopesOf(item, registry));
  return new CommittedAppend(storedItem.streamId, storedItem.commitId, commitEnd(storedItem), true, () => envelopes as EventEnvelope<TEvent>[]);
}
