import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from '@jest/globals';
import { createEventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { SnapshotsDisabledError } from '../lib/errors/snapshots-disabled.error.js';
import { TableMismatchError } from '../lib/errors/table-mismatch.error.js';
import { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { snapshotsTableDefinition } from '../lib/tables/snapshots-table.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { createSnapshotApp, sortKeys, type SnapshotApp } from './support/snapshot-app.js';
import { accountState } from './support/snapshot-states.js';

const BIG_STATE_BYTES = 3_000_000; // several parts

describe('SnapshotRepository pruning, deletion and time to live', () => {
  const apps: SnapshotApp[] = [];
  const open = async (...args: Parameters<typeof createSnapshotApp>) => {
    const app = await createSnapshotApp(...args);
    apps.push(app);
    return app;
  };
  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it('with snapshots.keep, each save keeps the newest N and deletes older snapshot items before their parts', async () => {
    const app = await open('snapshot-keep', { snapshots: { keep: 2 } });
    const stream = `keep-${Date.now()}`;
    await app.snapshots.save(stream, 10, accountState(10, BIG_STATE_BYTES), { revision: 1 });
    await app.snapshots.save(stream, 20, { at: 20 }, { revision: 1 });
    const deleted: string[][] = [];
    app.tap.rewrite('BatchWriteItemCommand', (input) => {
      const requests = Object.values(input.RequestItems as Record<string, Array<{ DeleteRequest: { Key: { sortKey: { S: string } } } }>>)[0]!;
      deleted.push(requests.map((r) => r.DeleteRequest.Key.sortKey.S));
    });
    await app.snapshots.save(stream, 30, { at: 30 }, { revision: 1 });

    expect(sortKeys(await app.rawItems(stream))).toEqual(['s#0000000000000020#0000000000000001', 's#0000000000000030#0000000000000001']);
    expect(deleted.flat()[0]).toBe('s#0000000000000010#0000000000000001'); // the snapshot item goes first...
    expect(deleted.flat().slice(1).every((key) => key.startsWith('p#0000000000000010#'))).toBe(true); // ...then its parts
    expect(deleted.flat()).toHaveLength(3);
  });

  it('prune() keeps the newest N of any revision and reports how many it deleted', async () => {
    const app = await open('snapshot-prune');
    const stream = `prune-${Date.now()}`;
    for (const [version, revision] of [[1, 1], [2, 1], [3, 2], [3, 1], [4, 2]] as const) {
      await app.snapshots.save(stream, version, { version, revision }, { revision });
    }
    expect(await app.snapshots.prune(stream, { keep: 3 })).toBe(2);
    expect(sortKeys(await app.rawItems(stream))).toEqual([
      's#0000000000000003#0000000000000001',
      's#0000000000000003#0000000000000002',
      's#0000000000000004#0000000000000002',
    ]);
    expect(await app.snapshots.prune(stream, { keep: 3 })).toBe(0);
    expect(await app.snapshots.load(stream, { atOrBelowVersion: 2 })).toBeUndefined();
  });

  it('delete() removes every item of the stream and no other stream', async () => {
    const app = await open('snapshot-delete');
    const stream = `gdpr-${Date.now()}`;
    await app.snapshots.save(stream, 1, { name: 'Ann' }, { revision: 1 });
    await app.snapshots.save(stream, 2, accountState(2, BIG_STATE_BYTES), { revision: 1 });
    await app.snapshots.save(`${stream}-other`, 1, { name: 'Bob' }, { revision: 1 });
    expect(await app.snapshots.delete(stream)).toBe(2);
    expect(await app.rawItems(stream)).toEqual([]);
    expect(await app.snapshots.load(stream)).toBeUndefined();
    expect((await app.snapshots.load(`${stream}-other`))?.state).toEqual({ name: 'Bob' });
  });

  it('with snapshots.ttlSeconds, writes expiresAt on every item and turns time to live on', async () => {
    // DynamoDB Local never deletes expired items: what can be checked is the attribute and the table setting.
    const app = await open('snapshot-ttl', { snapshots: { ttlSeconds: 3600 } });
    const stream = `ttl-${Date.now()}`;
    const info = await app.snapshots.save(stream, 1, accountState(1, BIG_STATE_BYTES), { revision: 1 });
    const items = await app.rawItems(stream);
    expect(items).toHaveLength(info.items);
    const expected = String(Math.ceil(info.takenAt.getTime() / 1000) + 3600);
    for (const item of items) expect(item.expiresAt).toEqual({ N: expected });
    const { TimeToLiveDescription } = await app.client.send(new DescribeTimeToLiveCommand({ TableName: app.tableName }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
  });
});

describe('Snapshots table set-up', () => {
  const created: string[] = [];
  const name = (label: string) => {
    const table = uniqueTableName(label);
    created.push(table);
    return table;
  };
  afterAll(() => deleteTables(...created));

  it("tableSetup 'create' creates the snapshots table from its exported definition", async () => {
    const tables = { events: name('setup-ev'), snapshots: name('setup-snap') };
    const runtime = await createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'create', tables, snapshots: {} });
    try {
      const { Table } = await runtime.client.send(new DescribeTableCommand({ TableName: tables.snapshots }));
      expect(Table?.KeySchema).toEqual(snapshotsTableDefinition(tables.snapshots).KeySchema);
      expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
      // 'verify' accepts it; with a time to live it names what is missing.
      const verified = await createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'verify', tables, snapshots: {} });
      verified.client.destroy();
      const withTtl = createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'verify', tables, snapshots: { ttlSeconds: 60 } });
      await expect(withTtl).rejects.toBeInstanceOf(TableMismatchError);
      await expect(withTtl).rejects.toThrow(new RegExp(`Table "${tables.snapshots}".*time to live is disabled.*"expiresAt"`));
    } finally {
      runtime.client.destroy();
    }
  });

  it("tableSetup 'verify' fails start-up for a missing snapshots table, naming it", async () => {
    const events = name('verify-ev');
    const snapshots = name('verify-snap');
    const setup = await createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events } });
    setup.client.destroy();
    const start = createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'verify', tables: { events, snapshots }, snapshots: {} });
    await expect(start).rejects.toThrow(new RegExp(`Table "${snapshots}".*does not exist`));
  });

  it('without the snapshots option, no snapshots table is set up and the repository refuses to work', async () => {
    const events = name('off-ev');
    const runtime = await createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'create', tables: { events } });
    const client = new DynamoDBClient(testClientConfig());
    try {
      await expect(client.send(new DescribeTableCommand({ TableName: runtime.options.snapshotsTable }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      const repository = new SnapshotRepository(runtime);
      await expect(repository.save('s-1', 1, {}, { revision: 1 })).rejects.toBeInstanceOf(SnapshotsDisabledError);
      await expect(repository.load('s-1')).rejects.toMatchObject({ code: 'SNAPSHOTS_DISABLED' });
      await expect(repository.prune('s-1', { keep: 1 })).rejects.toMatchObject({ code: 'SNAPSHOTS_DISABLED' });
      await expect(repository.delete('s-1')).rejects.toMatchObject({ code: 'SNAPSHOTS_DISABLED' });
    } finally {
      client.destroy();
      runtime.client.destroy();
    }
  });
});
