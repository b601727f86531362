import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { withRetries } from '../../event-store/request-retry.js';
import type { RetryOptions } from '../../event-store/retry-policy.js';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import { FEED_INDEXER_LEASE_STREAM } from '../index/feed-index-keys.js';

const OWNER = 'owner';
const EXPIRES_AT = 'expiresAt';
const EPOCH = 'epoch';
const KEY = { [E.streamId]: { S: FEED_INDEXER_LEASE_STREAM }, [E.version]: { N: '0' } };

/** What a lease check found: held by this indexer now (until `expiresAt`), or by someone else. */
export type LeaseCheck = { readonly held: true; readonly expiresAt: number } | { readonly held: false; readonly holder: string; readonly expiresAt: number };

/**
 * The lease that lets one app instance at a time run the in-app indexer: one item of the events
 * table. It keeps indexers from wasting work on each other; correctness does not rest on it (every
 * index write is conditional on its position, so a late write of a former holder cannot land).
 */
export class IndexerLease {
  /** New for each process and tenure, so that a renewal from an earlier tenure fails its condition. */
  private owner = newOwner();
  private epoch?: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlMs: number,
    private readonly retry: Required<RetryOptions>,
  ) {}

  get id(): string {
    return this.owner;
  }

  /** Takes the lease if it is free or expired (by this clock): one strongly consistent read, and a conditional write when free. */
  async acquire(): Promise<LeaseCheck> {
    const { Item } = await this.send('Reading the feed indexer lease', 'read', () =>
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true })),
    );
    const now = Date.now();
    const holder = Item?.[OWNER]?.S;
    const expiresAt = Number(Item?.[EXPIRES_AT]?.N ?? 0);
    const epoch = Number(Item?.[EPOCH]?.N ?? 0);
    if (holder !== undefined && holder !== this.owner && expiresAt > now) return { held: false, holder, expiresAt };
    this.owner = newOwner();
    const next = now + this.ttlMs;
    try {
      await this.send('Taking the feed indexer lease', 'idempotent-write', () =>
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...KEY, [OWNER]: { S: this.owner }, [EXPIRES_AT]: { N: String(next) }, [EPOCH]: { N: String(epoch + 1) } },
            ConditionExpression: Item === undefined ? 'attribute_not_exists(#epoch)' : '#epoch = :epoch',
            ExpressionAttributeNames: { '#epoch': EPOCH },
            ExpressionAttributeValues: Item === undefined ? undefined : { ':epoch': { N: String(epoch) } },
          }),
        ),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      // Either another instance won, or an earlier attempt of ours landed unanswered: the item says which.
      const { Item: after } = await this.send('Reading the feed indexer lease', 'read', () =>
        this.client.send(new GetItemCommand({ TableName: this.tableName, Key: KEY, ConsistentRead: true })),
      );
      if (after?.[OWNER]?.S !== this.owner) return { held: false, holder: after?.[OWNER]?.S ?? 'another instance', expiresAt: Number(after?.[EXPIRES_AT]?.N ?? now) };
    }
    this.epoch = epoch + 1;
    return { held: true, expiresAt: next };
  }

  /** Extends the lease; false when it was lost (taken over after it expired). */
  async renew(): Promise<boolean> {
    if (this.epoch === undefined) return false;
    try {
      await this.send('Renewing the feed indexer lease', 'idempotent-write', () => this.client.send(this.update(Date.now() + this.ttlMs)));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      this.epoch = undefined;
      return false;
    }
  }

  /** Gives the lease up so another instance can take over at once; never throws. */
  async release(): Promise<void> {
    if (this.epoch === undefined) return;
    try {
      await this.client.send(this.update(0));
    } catch {
      // Lost already, or unreachable: the lease then lapses on its own.
    } finally {
      this.epoch = undefined;
    }
  }

  private update(expiresAt: number): UpdateItemCommand {
    return new UpdateItemCommand({
      TableName: this.tableName,
      Key: KEY,
      UpdateExpression: 'SET #expires = :expires',
      ConditionExpression: '#owner = :owner AND #epoch = :epoch',
      ExpressionAttributeNames: { '#expires': EXPIRES_AT, '#owner': OWNER, '#epoch': EPOCH },
      ExpressionAttributeValues: { ':expires': { N: String(expiresAt) }, ':owner': { S: this.owner }, ':epoch': { N: String(this.epoch) } },
    });
  }

  private send<T>(operation: string, kind: 'read' | 'idempotent-write', send: () => Promise<T>): Promise<T> {
    return withRetries({ operation, retry: this.retry, kind, advice: 'The indexer tries again at its next check.' }, send);
  }
}

const newOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** How long a one-off job's hold on the indexer lease lasts unless renewed (renewed every third of it). */
const JOB_LEASE_TTL_MS = 10_000;

/**
 * Runs `work` holding the in-app indexers' lease, so that no indexer writes the index at the same
 * time (its writes would collide with the job's on positions). Resolves to undefined, without
 * running it, when an indexer holds the lease: that indexer keeps the index complete itself.
 */
export async function withIndexerLease<T>(
  options: { readonly client: DynamoDBClient; readonly tableName: string; readonly retry: Required<RetryOptions>; readonly log?: (message: string) => void },
  work: (owner: string) => Promise<T>,
): Promise<T | undefined> {
  const lease = new IndexerLease(options.client, options.tableName, JOB_LEASE_TTL_MS, options.retry);
  const check = await lease.acquire();
  if (!check.held) {
    options.log?.(`An indexer runs (${check.holder} holds its lease): it keeps the feed index complete, so this run leaves the index to it.`);
    return undefined;
  }
  const renewal = setInterval(() => void lease.renew().catch(() => undefined), JOB_LEASE_TTL_MS / 3);
  renewal.unref();
  try {
    return await work(lease.id);
  } finally {
    clearInterval(renewal);
    await lease.release();
  }
}
