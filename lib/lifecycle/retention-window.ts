import { StreamDeletedError } from '../errors/stream-deleted.error.js';
import type { EventStreamTable } from '../event-store/event-stream-table.js';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StreamLifecycleTable } from './stream-lifecycle-table.js';
import { decodeStreamMetadataItem, type StoredStreamMeta } from './stream-metadata-item.codec.js';

/** The events of a stream a read may return, by its retention and deletion state at the read's start. */
export interface RetentionWindow {
  /** The first version kept (1 when nothing is truncated). */
  readonly first: number;
  /** With `maxAge`: events committed before this time (Unix ms) are not returned. */
  readonly committedSince?: number;
}

/** Where reads learn a stream's window. */
export interface RetentionWindows {
  /** @throws StreamDeletedError for a hard-deleted stream. */
  windowOf(streamId: string): Promise<RetentionWindow>;
  /** The same from the metadata item a read's own Query returned. @throws StreamDeletedError */
  windowOfItem(streamId: string, item: Record<string, AttributeValue> | undefined): Promise<RetentionWindow>;
}

/**
 * Reads each stream's metadata item (one strongly consistent GetItem per read; a head read too
 * when the stream has `maxCount`), so that a deletion or a new limit applies to every process's
 * next read at once.
 */
export class StreamRetention implements RetentionWindows {
  constructor(
    private readonly lifecycle: StreamLifecycleTable,
    private readonly events: EventStreamTable,
    /** Unix milliseconds now (injectable, for `maxAge`). */
    private readonly clock: () => number,
  ) {}

  async windowOf(streamId: string): Promise<RetentionWindow> {
    return this.windowFrom(streamId, (await this.lifecycle.metadata(streamId)).meta);
  }

  /** The window of a metadata item a read's own Query returned (undefined: the stream has none). */
  windowOfItem(streamId: string, item: Record<string, AttributeValue> | undefined): Promise<RetentionWindow> {
    return this.windowFrom(streamId, decodeStreamMetadataItem(streamId, item).meta);
  }

  private async windowFrom(streamId: string, meta: StoredStreamMeta): Promise<RetentionWindow> {
    if (meta.deleted?.mode === 'hard') throw new StreamDeletedError(streamId, meta.deleted.version, new Date(meta.deleted.at));
    let first = meta.truncateBefore ?? 1;
    if (meta.maxCount !== undefined) first = Math.max(first, (await this.events.head(streamId)).version - meta.maxCount + 1);
    return meta.maxAge === undefined ? { first } : { first, committedSince: this.clock() - meta.maxAge };
  }
}
