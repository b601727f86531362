import { GetItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { classifyWriteError } from '../../event-store/dynamo-errors.js';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { ProjectionItemAttribute as A } from '../../tables/projections-table.js';

type Item = Record<string, AttributeValue>;

/** The meta item of a partitioned projection, as read. */
export interface ProjectionMeta {
  /** The partition count its checkpoints were made with. */
  readonly partitions: number;
  /** Live and lapsed members: member id -> heartbeat expiry (Unix ms, the member's clock). */
  readonly members: ReadonlyMap<string, number>;
  /** A rebuild runs (or waits for the partitions) in this member, until `rebuildUntil`. */
  readonly rebuildBy?: string;
  readonly rebuildUntil: number;
  /** A rebuild moved the checkpoints back and `reset()` may not have completed. */
  readonly rebuilding: boolean;
}

/** A heartbeat's outcome: the meta item, or the partition count it was stored with when that is not ours. */
export type HeartbeatResult = { readonly ok: true; readonly meta: ProjectionMeta } | { readonly ok: false; readonly partitionsStored: number };

const ADVICE = 'Membership is renewed at the next round.';

/**
 * The requests on a partitioned projection's meta item (`<name>` in the projections table): the
 * members' heartbeats (one UpdateItem each per round, 1 write unit), the partition count the
 * checkpoints were made with, and a rebuild's claim on every partition.
 */
export class ProjectionMetaStore {
  constructor(
    private readonly client: DynamoDBClient,
    readonly tableName: string,
    private readonly retry: Required<RetryOptions>,
  ) {}

  /**
   * Records `member` as live until `expiresAt`, drops `lapsed` members, and reads the item back.
   * Creates the item on the first heartbeat of a new projection. Refused (with the stored count)
   * when the checkpoints were made with another partition count, including a projection that ran
   * unpartitioned (its `<name>` item holds a checkpoint or a lease).
   */
  async heartbeat(name: string, partitions: number, member: string, expiresAt: number, lapsed: readonly string[]): Promise<HeartbeatResult> {
    const names: Record<string, string> = { '#members': A.members, '#partitions': A.partitions, '#updated': A.updatedAt, '#me': member };
    lapsed.forEach((id, i) => (names[`#lapsed${i}`] = id));
    const remove = lapsed.length === 0 ? '' : ` REMOVE ${lapsed.map((_, i) => `#members.#lapsed${i}`).join(', ')}`;
    try {
      const { Attributes } = await this.send('Renewing projection membership', () =>
        this.client.send(
          new UpdateItemCommand({
            ...this.key(name),
            UpdateExpression: `SET #members.#me = :expires, #updated = :now${remove}`,
            ConditionExpression: '#partitions = :partitions',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':expires': { N: String(expiresAt) }, ':now': { N: String(Date.now()) }, ':partitions': { N: String(partitions) } },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { ok: true, meta: metaOf(Attributes!) };
    } catch (error) {
      if (classifyWriteError(error).kind !== 'conflict') throw error;
    }
    return this.create(name, partitions, member, expiresAt);
  }

  /** The first heartbeat: creates the meta item, unless the projection exists with another layout. */
  private async create(name: string, partitions: number, member: string, expiresAt: number): Promise<HeartbeatResult> {
    try {
      const { Attributes } = await this.send('Creating the meta item of a partitioned projection', () =>
        this.client.send(
          new UpdateItemCommand({
            ...this.key(name),
            UpdateExpression: 'SET #partitions = :partitions, #members = :members, #updated = :now',
            // A 0.4 (unpartitioned) projection's item has a checkpoint or a lease: that is another layout.
            ConditionExpression: 'attribute_not_exists(#partitions) AND attribute_not_exists(#checkpoint) AND attribute_not_exists(#owner)',
            ExpressionAttributeNames: { '#partitions': A.partitions, '#members': A.members, '#updated': A.updatedAt, '#checkpoint': A.checkpoint, '#owner': A.leaseOwner },
            ExpressionAttributeValues: {
              ':partitions': { N: String(partitions) },
              ':members': { M: { [member]: { N: String(expiresAt) } } },
              ':now': { N: String(Date.now()) },
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { ok: true, meta: metaOf(Attributes!) };
    } catch (error) {
      if (classifyWriteError(error).kind !== 'conflict') throw error;
    }
    const stored = await this.read(name);
    if (stored?.partitions === partitions) return this.heartbeat(name, partitions, member, expiresAt, []); // created meanwhile by another member
    return { ok: false, partitionsStored: stored?.partitions ?? 1 };
  }

  /** Removes `member` (it stops running the projection), so that the others rebalance at once. */
  async leave(name: string, member: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          ...this.key(name),
          UpdateExpression: 'REMOVE #members.#me',
          ConditionExpression: 'attribute_exists(#members)',
          ExpressionAttributeNames: { '#members': A.members, '#me': member },
        }),
      );
    } catch (error) {
      if (classifyWriteError(error).kind !== 'conflict') throw error;
    }
  }

  /**
   * Claims every partition for a rebuild in `member` until `until`: the others give theirs up and
   * take none while the claim stands. Refused (false) while another member's claim stands.
   * Sets the partition count: a rebuild is how the count changes.
   */
  async claimForRebuild(name: string, partitions: number, member: string, until: number, changeFrom?: number): Promise<boolean> {
    const now = Date.now();
    // Changing the count: the flag goes up in the same write, so that if the rebuild goes no further,
    // no instance runs the new split from checkpoints made under the old one.
    const changing = changeFrom !== undefined && changeFrom !== partitions;
    try {
      await this.client.send(
        new UpdateItemCommand({
          ...this.key(name),
          UpdateExpression:
            'SET #by = :me, #until = :until, #updated = :now, #members = if_not_exists(#members, :noMembers), #partitions = :partitions' +
            (changing ? ', #rebuilding = :true' : ''),
          ConditionExpression:
            '(attribute_not_exists(#by) OR #until < :now OR #by = :me) AND attribute_not_exists(#checkpoint) AND attribute_not_exists(#owner)' +
            (changing ? ' AND #partitions = :from' : ''),
          ExpressionAttributeNames: {
            '#by': A.rebuildBy,
            '#until': A.rebuildUntil,
            '#updated': A.updatedAt,
            '#members': A.members,
            '#partitions': A.partitions,
            '#checkpoint': A.checkpoint,
            '#owner': A.leaseOwner,
            ...(changing ? { '#rebuilding': A.rebuilding } : {}),
          },
          ExpressionAttributeValues: {
            ':me': { S: member },
            ':until': { N: String(until) },
            ':now': { N: String(now) },
            ':noMembers': { M: {} },
            ':partitions': { N: String(partitions) },
            ...(changing ? { ':true': { BOOL: true }, ':from': { N: String(changeFrom) } } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (classifyWriteError(error).kind === 'conflict') return false;
      throw error;
    }
  }

  /** Sets or clears the meta item's `rebuilding` flag, under `member`'s rebuild claim. @returns false when the claim is gone. */
  async markRebuilding(name: string, member: string, rebuilding: boolean): Promise<boolean> {
    try {
      await this.send('Marking a partitioned projection as rebuilding', () =>
        this.client.send(
          new UpdateItemCommand({
            ...this.key(name),
            UpdateExpression: rebuilding ? 'SET #rebuilding = :true' : 'REMOVE #rebuilding',
            ConditionExpression: '#by = :me',
            ExpressionAttributeNames: { '#rebuilding': A.rebuilding, '#by': A.rebuildBy },
            ExpressionAttributeValues: { ':me': { S: member }, ...(rebuilding ? { ':true': { BOOL: true } } : {}) },
          }),
        ),
      );
      return true;
    } catch (error) {
      if (classifyWriteError(error).kind === 'conflict') return false;
      throw error;
    }
  }

  /** Ends `member`'s rebuild claim (nothing if it is not the claimant any more). */
  async releaseClaim(name: string, member: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          ...this.key(name),
          UpdateExpression: 'REMOVE #by, #until',
          ConditionExpression: '#by = :me',
          ExpressionAttributeNames: { '#by': A.rebuildBy, '#until': A.rebuildUntil },
          ExpressionAttributeValues: { ':me': { S: member } },
        }),
      );
    } catch (error) {
      if (classifyWriteError(error).kind !== 'conflict') throw error;
    }
  }

  /** The meta item, strongly consistent; undefined when absent. `partitions` is 1 for an unpartitioned projection's item. */
  async read(name: string): Promise<ProjectionMeta | undefined> {
    const { Item } = await this.send('Reading the meta item of a projection', () => this.client.send(new GetItemCommand({ ...this.key(name), ConsistentRead: true })));
    return Item === undefined ? undefined : metaOf(Item);
  }

  private send<T>(operation: string, request: () => Promise<T>): Promise<T> {
    // Heartbeats and claims set the same values again when re-sent: safe to retry.
    return withRetries({ operation, retry: this.retry, kind: 'idempotent-write', advice: ADVICE }, request);
  }

  private key(name: string): { TableName: string; Key: Item } {
    return { TableName: this.tableName, Key: { [A.projection]: { S: name } } };
  }
}

function metaOf(item: Item): ProjectionMeta {
  const members = new Map<string, number>();
  for (const [id, value] of Object.entries(item[A.members]?.M ?? {})) members.set(id, Number(value.N ?? 0));
  return {
    partitions: Number(item[A.partitions]?.N ?? 1),
    members,
    rebuildBy: item[A.rebuildBy]?.S,
    rebuildUntil: Number(item[A.rebuildUntil]?.N ?? 0),
    rebuilding: item[A.rebuilding]?.BOOL === true,
  };
}
