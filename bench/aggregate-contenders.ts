import { paginateQuery, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { brotliDecompressSync } from 'node:zlib';
import type { AggregateRepository } from '../lib/index.js';
import { foldEntry, summaryOf, type AccountSummary, type BenchAccount } from './bench-account.aggregate.js';
import type { Named } from './interleaved-rounds.js';
import { newestSnapshotItem } from './newest-snapshot-item.js';

type Item = Record<string, AttributeValue>;

/** Loads the bench account by id, resolving to its folded state and the version it was loaded at. */
export interface AggregateLoader extends Named {
  load(id: string): Promise<AccountSummary>;
}

/** The module: AggregateRepository.load(id), events applied through the AggregateRoot's loadFromHistory. */
export class ModuleAggregateLoader implements AggregateLoader {
  readonly name = 'module';

  constructor(private readonly repository: AggregateRepository<BenchAccount>) {}

  async load(id: string): Promise<AccountSummary> {
    const account = await this.repository.load(id);
    if (account === null) throw new Error(`module: no aggregate ${id}`);
    return summaryOf(account, this.repository.versionOf(account));
  }
}

/**
 * The raw SDK doing the same work by hand, on the module's own tables (so both read the very same
 * items): with a snapshots table, the stream's newest snapshot item (one strongly consistent Query,
 * newest first, Limit 1, in the module's key layout; its state decoded from plain JSON `S` or Brotli
 * `B`); then a paginated strongly consistent Query of the events after it, JSON.parse of each item's
 * `events`, and the amounts folded into a plain object. Attributes are read straight off the raw
 * items (no unmarshall): the least a hand-written loader must do, so it is an upper bound.
 */
export class BaselineAggregateLoader implements AggregateLoader {
  readonly name = 'baseline';

  constructor(
    private readonly client: DynamoDBClient,
    /** The module's events table. */
    private readonly eventsTable: string,
    /** The aggregate's registered name: its streams are `<name>-<id>`. */
    private readonly aggregateName: string,
    /** The module's snapshots table, when the aggregate has snapshots. */
    private readonly snapshotsTable?: string,
  ) {}

  async load(id: string): Promise<AccountSummary> {
    const streamId = `${this.aggregateName}-${id}`;
    const state = (this.snapshotsTable === undefined ? undefined : await this.newestSnapshot(streamId)) ?? {
      balanceCents: 0,
      deposits: 0,
      withdrawals: 0,
      transfers: 0,
      version: 0,
    };
    await this.foldEventsAfter(streamId, state);
    if (state.version === 0) throw new Error(`baseline: no aggregate ${id}`);
    return state;
  }

  /** The newest snapshot item's state, or undefined. The bench account's state is small: always one item. */
  private async newestSnapshot(streamId: string): Promise<AccountSummary | undefined> {
    const item = await newestSnapshotItem(this.client, this.snapshotsTable!, streamId);
    if (item === undefined) return undefined;
    if (item.parts !== undefined) throw new Error(`baseline: snapshot of ${streamId} is multi-part; not expected for the bench account`);
    const json = item.encoding!.S === 'br' ? brotliDecompressSync(item.state!.B!).toString('utf8') : item.state!.S!;
    const saved = JSON.parse(json) as Omit<AccountSummary, 'version'>;
    return {
      balanceCents: saved.balanceCents,
      deposits: saved.deposits,
      withdrawals: saved.withdrawals,
      transfers: saved.transfers,
      version: Number(item.version!.N),
    };
  }

  /** Folds every event after `state.version` into `state` (which counts them in `version`). */
  private async foldEventsAfter(streamId: string, state: AccountSummary): Promise<void> {
    const from = state.version + 1;
    const values: Item = { ':stream': { S: streamId } };
    if (from > 1) values[':from'] = { N: String(from) };
    const pages = paginateQuery(
      { client: this.client },
      {
        TableName: this.eventsTable,
        KeyConditionExpression: from > 1 ? '#stream = :stream AND #version >= :from' : '#stream = :stream',
        ExpressionAttributeNames: from > 1 ? { '#stream': 'streamId', '#version': 'version' } : { '#stream': 'streamId' },
        ExpressionAttributeValues: values,
        ConsistentRead: true,
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const entries = JSON.parse(item.events!.S!) as Array<{ type: string; data: { money: { amount: number } } }>;
        for (const entry of entries) foldEntry(state, entry.type, entry.data);
      }
    }
  }
}
