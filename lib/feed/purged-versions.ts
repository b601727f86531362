import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../event-store/request-retry.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import { decodeStreamMetadataItem, isRawPurgeStub, STREAM_METADATA_VERSION } from '../lifecycle/stream-metadata-item.codec.js';
import { EventItemAttribute as A } from '../tables/events-table.js';

/** Streams whose purged range a reader remembers: bounded, so memory stays flat on a long read. */
const MAX_REMEMBERED = 10_000;

/**
 * How far each stream has been purged, as the events table says: what lets the feed tell a commit
 * that was erased on purpose (retention, truncation, a hard delete) from one that vanished (a
 * stream changed by hand: a StreamIntegrityError). Asked only when an indexed commit is missing,
 * so the feed's ordinary reads cost nothing more.
 *
 * A stream's versions up to `purgedThrough` may be gone: the greatest of its hard deletion's
 * version, its `truncateBefore` less one (both from its metadata item, key 0) and the last version
 * its purge stub (key 1) stands for. That only ever rises, so a value once read stays true and is
 * kept; it is read again (two strongly consistent GetItems, 1 read unit each for these small items)
 * only when it does not cover the version asked about.
 */
export class PurgedVersions {
  private readonly known = new Map<string, number>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** Whether the stream's versions through `version` may have been purged (so a missing item there is no damage). */
  async covers(streamId: string, version: number): Promise<boolean> {
    const cached = this.known.get(streamId);
    if (cached !== undefined && cached >= version) return true;
    const through = await this.read(streamId);
    this.known.delete(streamId);
    if (this.known.size >= MAX_REMEMBERED) this.known.delete(this.known.keys().next().value!);
    this.known.set(streamId, through);
    return through >= version;
  }

  private async read(streamId: string): Promise<number> {
    const [metadata, first] = await Promise.all([this.get(streamId, STREAM_METADATA_VERSION), this.get(streamId, 1)]);
    const { meta } = decodeStreamMetadataItem(streamId, metadata);
    const hardDeleted = meta.deleted?.mode === 'hard' ? meta.deleted.version : 0;
    const truncated = (meta.truncateBefore ?? 1) - 1;
    const stubbed = first !== undefined && isRawPurgeStub(first) ? Number(first[A.lastVersion]?.N ?? 0) : 0;
    return Math.max(hardDeleted, truncated, stubbed);
  }

  private async get(streamId: string, version: number): Promise<Record<string, AttributeValue> | undefined> {
    const { Item } = await withRetries(
      { operation: `GetItem of stream "${streamId}" at ${version}`, retry: this.retry, kind: 'read', advice: 'Nothing was changed; reading the feed again from the last checkpoint is safe.' },
      () => this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } }, ConsistentRead: true })),
    );
    return Item;
  }
}
