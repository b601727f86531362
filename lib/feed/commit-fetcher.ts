import { BatchGetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { StreamIntegrityError } from '../errors/stream-integrity.error.js';
import { commitEnd, decodeEventItem, type StoredEventItem } from '../event-store/event-item.codec.js';
import type { EventStreamTable } from '../event-store/event-stream-table.js';
import { withRetries } from '../event-store/request-retry.js';
import { backoffDelay, sleep, type RetryOptions } from '../event-store/retry-policy.js';
import { followsForward } from '../event-store/stream-integrity.js';
import { withPersonalDataKeys } from '../personal-data/personal-data-links.js';
import { isPurgeStub } from '../lifecycle/stream-metadata-item.codec.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import type { PositionedCommit } from './index/indexed-commit.js';
import { PurgedVersions } from './purged-versions.js';

type Item = Record<string, AttributeValue>;

/** BatchGetItem takes at most 100 keys per request. */
const BATCH_GET_KEYS = 100;
/** Strongly consistent re-reads of a split commit's later items before it counts as incomplete. */
const MAX_REREADS = 5;

/**
 * Fetches the commits the feed index names, with BatchGetItem: eventually consistent (half the
 * price), and a key the replica does not show yet, although the index named it, read again
 * strongly. Checks that each item is the commit the index names. A commit purged since it was
 * indexed (retention, truncation, a hard delete: see {@link PurgedVersions}) comes back with no
 * items, and the feed passes over it.
 */
export class CommitFetcher {
  /** What the stream lifecycle purged: read only when an indexed commit is missing. */
  readonly purged: PurgedVersions;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: EventStreamTable,
    private readonly retry: Required<RetryOptions>,
  ) {
    this.purged = new PurgedVersions(client, table.tableName, retry);
  }

  /**
   * The items of each commit, in version order (one for most commits, several for a split commit),
   * in the order of `commits`; none for a commit that was purged.
   * @throws StreamIntegrityError when the table does not hold a named commit (and the stream's
   *   metadata does not say it was purged), or holds another one there.
   */
  async fetch(commits: readonly PositionedCommit[]): Promise<StoredEventItem[][]> {
    const keys = new Map<string, Item>(); // deduplicated: BatchGetItem refuses a request naming one key twice
    for (const commit of commits) {
      for (const version of [commit.version, ...(commit.slices ?? [])]) keys.set(itemKey(commit.streamId, version), keyOf(commit.streamId, version));
    }
    const found = await this.getAll([...keys.values()]);
    await withPersonalDataKeys(this.client, this.table.tableName, [...found.values()]); // personal data: one keys-table read per page of commits
    const fetched: StoredEventItem[][] = [];
    for (const commit of commits) fetched.push(await this.itemsOf(commit, found));
    return fetched;
  }

  private async itemsOf(commit: PositionedCommit, found: ReadonlyMap<string, StoredEventItem>): Promise<StoredEventItem[]> {
    const { streamId, version, position } = commit;
    const first = found.get(itemKey(streamId, version));
    // Purged on purpose: its stub has taken key 1, or the stream's metadata says its versions may be gone.
    if (first !== undefined && isPurgeStub(first)) return [];
    if (first === undefined && (await this.purged.covers(streamId, version))) return [];
    if (first === undefined) {
      throw new StreamIntegrityError(
        streamId,
        `the feed index lists a commit at versions ${version}-${commit.commitEnd} (position ${position}) that the events table does not hold.`,
        { problem: 'gap', version },
      );
    }
    if (commitEnd(first) !== commit.commitEnd) {
      // Another commit over (some of) the same versions: written after the indexed one's item vanished.
      throw new StreamIntegrityError(
        streamId,
        `the feed index lists a commit at versions ${version}-${commit.commitEnd} (position ${position}), but the item there holds commit ` +
          `"${first.commitId}" (versions ${first.version}-${commitEnd(first)}).`,
        { problem: 'overlap', version, second: { commitId: first.commitId, firstVersion: first.version, lastVersion: first.lastVersion } },
      );
    }
    if (commit.commitEnd === first.lastVersion) return [first];
    // A split commit: its other items by the keys the index lists, or (an index that did not list them) by a Query.
    if (commit.slices === undefined || commit.slices.length === 0) return [first, ...(await this.restOfCommit(first, commit.commitEnd))];
    const items = [first];
    for (const slice of commit.slices) {
      const item = found.get(itemKey(streamId, slice));
      const previous = items.at(-1)!;
      // Every item in the commit's range must be the next slice of it: another commit's item there is an overlap.
      if (item === undefined || followsForward(streamId, previous, item) === 'gap') return [first, ...(await this.restOfCommit(first, commit.commitEnd))];
      items.push(item);
    }
    if (items.at(-1)!.lastVersion !== commit.commitEnd) return [first, ...(await this.restOfCommit(first, commit.commitEnd))];
    return items;
  }

  /** The items after the first of a commit split over several; its transaction has committed, so all must show. */
  private async restOfCommit(first: StoredEventItem, end: number): Promise<StoredEventItem[]> {
    for (let reread = 0; ; reread++) {
      const items: StoredEventItem[] = [];
      let previous: StoredEventItem = first;
      let contiguous = true;
      scan: for await (const page of this.table.pages(first.streamId, { lower: first.version + 1, upper: end, forward: true })) {
        for (const item of page) {
          if (followsForward(first.streamId, previous, item) === 'gap') {
            contiguous = false;
            break scan;
          }
          items.push(item);
          previous = item;
        }
      }
      if (contiguous && previous.lastVersion === end) return items;
      // Query is read-committed: part of a committed transaction may not show yet.
      if (reread >= MAX_REREADS) {
        throw new StreamIntegrityError(first.streamId, `commit "${first.commitId}" (versions ${first.version}-${end}) is not fully visible.`, {
          problem: 'incomplete-commit',
          version: previous.lastVersion + 1,
          first: { commitId: first.commitId, firstVersion: first.version, lastVersion: first.lastVersion },
        });
      }
      await sleep(backoffDelay(reread + 1, this.retry));
    }
  }

  /** Every key's item that exists: eventually consistent first, then the missing ones strongly. */
  private async getAll(keys: readonly Item[]): Promise<Map<string, StoredEventItem>> {
    const found = new Map<string, StoredEventItem>();
    for (let i = 0; i < keys.length; i += BATCH_GET_KEYS) {
      const chunk = keys.slice(i, i + BATCH_GET_KEYS);
      await this.batchGet(chunk, false, found);
      const missing = chunk.filter((key) => !found.has(itemKey(key[A.streamId]!.S!, Number(key[A.version]!.N))));
      if (missing.length > 0) await this.batchGet(missing, true, found);
    }
    return found;
  }

  private async batchGet(keys: Item[], consistent: boolean, found: Map<string, StoredEventItem>): Promise<void> {
    const tableName = this.table.tableName;
    let pending: Item[] = keys;
    for (let attempt = 1; pending.length > 0; ) {
      const { Responses, UnprocessedKeys } = await withRetries(
        { operation: 'BatchGetItem of feed commits', retry: this.retry, kind: 'read', advice: 'Nothing was changed; reading the feed again from the last checkpoint is safe.' },
        () => this.client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } })),
      );
      for (const raw of Responses?.[tableName] ?? []) {
        const item = decodeEventItem(raw);
        found.set(itemKey(item.streamId, item.version), item);
      }
      const unprocessed = UnprocessedKeys?.[tableName]?.Keys ?? [];
      if (unprocessed.length === 0) return;
      // A response stops at 16 MB: keys left over from a batch that made progress are simply asked for again.
      // None processed is DynamoDB throttling the batch: back off as for any throttle.
      if (unprocessed.length === pending.length) {
        if (attempt >= this.retry.maxAttempts) throw new RetriesExhaustedError('BatchGetItem of feed commits', attempt, 'UnprocessedKeys');
        await sleep(backoffDelay(attempt++, this.retry));
      }
      pending = unprocessed;
    }
  }
}

const itemKey = (streamId: string, version: number): string => `${streamId}\0${version}`;
const keyOf = (streamId: string, version: number): Item => ({ [A.streamId]: { S: streamId }, [A.version]: { N: String(version) } });
