import type { StreamDeletionMode } from './interfaces/stream-metadata.interface.js';

/**
 * Delivered by the global feed (`replayAll$`, projections) where a stream was deleted, so that
 * read models can forget it too: handle it with `@ProjectionHandler(StreamDeleted)` or
 * `eventTypes: [StreamDeleted]`; the envelope's `streamId` names the stream. Stream reads never
 * return it. Stored under the reserved type name `$streamDeleted`, known to every registry.
 */
export class StreamDeleted {
  constructor(
    /** `soft`: the events are hidden (the stream may be appended to again); `hard`: they are erased. */
    readonly mode: StreamDeletionMode,
    /** The stream's last version before the deletion (the tombstone itself is at the next one). */
    readonly deletedVersion: number,
  ) {}
}
