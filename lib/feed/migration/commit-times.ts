import { BatchGetItemCommand, GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RetriesExhaustedError } from '../../errors/retries-exhausted.error.js';
import { StreamIntegrityError } from '../../errors/stream-integrity.error.js';
import { withRetries } from '../../event-store/request-retry.js';
import { backoffDelay, sleep, type RetryOptions } from '../../event-store/retry-policy.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import type { IndexedCommit } from '../index/indexed-commit.js';

/** BatchGetItem takes at most 100 keys per request. */
export const MAX_BATCH_GET_KEYS = 100;
const NAMES = { '#s': E.streamId, '#v': E.version, '#a': E.committedAt, '#f': E.feedShard };

/** A commit's time, and whether 0.3's feed held it (its first item carries `feedShard`). */
export interface CommitTime {
  readonly at: number;
  readonly fed: boolean;
}
const ADVICE = 'Nothing was changed; running the command again is safe.';

/**
 * The commit times (`committedAt` of a commit's first item) of indexed commits, read strongly
 * consistently: what places a commit in 0.3's feed order. Only the keys, the time and `feedShard`
 * are projected (DynamoDB still bills the whole item's size).
 */
export class CommitTimes {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /** The time of one commit. @throws StreamIntegrityError when the table does not hold the commit the index names. */
  async of(commit: IndexedCommit): Promise<number> {
    const { Item } = await withRetries({ operation: `GetItem of commit ${commit.streamId}@${commit.version}`, retry: this.retry, kind: 'read', advice: ADVICE }, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: keyOf(commit), ConsistentRead: true, ProjectionExpression: '#a', ExpressionAttributeNames: { '#a': E.committedAt } }),
      ),
    );
    if (Item?.[E.committedAt]?.N === undefined) throw missing(commit);
    return Number(Item[E.committedAt].N);
  }

  /** The times of up to 100 commits, in their order, with whether 0.3's feed held them. */
  async ofAll(commits: readonly IndexedCommit[]): Promise<CommitTime[]> {
    if (commits.length > MAX_BATCH_GET_KEYS) throw new RangeError(`at most ${MAX_BATCH_GET_KEYS} commits per call; got ${commits.length}`);
    const times = new Map<string, CommitTime>();
    let pending: Record<string, AttributeValue>[] = uniqueKeys(commits);
    for (let idle = 1; pending.length > 0; ) {
      const keys = pending;
      const { Responses, UnprocessedKeys } = await withRetries({ operation: 'BatchGetItem of commit times', retry: this.retry, kind: 'read', advice: ADVICE }, () =>
        this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: '#s, #v, #a, #f', ExpressionAttributeNames: NAMES } } }),
        ),
      );
      for (const item of Responses?.[this.tableName] ?? []) {
        times.set(keyString(item[E.streamId]!.S!, Number(item[E.version]!.N)), { at: Number(item[E.committedAt]!.N), fed: item[E.feedShard] !== undefined });
      }
      const unprocessed = UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      // None processed is DynamoDB throttling the batch: back off as for any throttle, within the retry budget.
      if (unprocessed.length > 0 && unprocessed.length === keys.length) {
        if (idle >= this.retry.maxAttempts) throw new RetriesExhaustedError('BatchGetItem of commit times', idle, 'UnprocessedKeys', { advice: ADVICE });
        await sleep(backoffDelay(idle++, this.retry));
      }
      pending = unprocessed;
    }
    return commits.map((commit) => {
      const time = times.get(keyString(commit.streamId, commit.version));
      if (time === undefined) throw missing(commit);
      return time;
    });
  }
}

const keyOf = (commit: IndexedCommit): Record<string, AttributeValue> => ({ [E.streamId]: { S: commit.streamId }, [E.version]: { N: String(commit.version) } });
const keyString = (streamId: string, version: number): string => `${streamId}\0${version}`;

/** BatchGetItem refuses a key twice in one request; the index holds each commit once, but a caller's slice is not checked. */
function uniqueKeys(commits: readonly IndexedCommit[]): Record<string, AttributeValue>[] {
  const seen = new Set<string>();
  return commits.filter((commit) => !seen.has(keyString(commit.streamId, commit.version)) && seen.add(keyString(commit.streamId, commit.version))).map(keyOf);
}

const missing = (commit: IndexedCommit): StreamIntegrityError =>
  new StreamIntegrityError(commit.streamId, `the feed index names the commit at version ${commit.version}, but the table holds no item there.`);
