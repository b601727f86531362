import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { MAX_ITEM_BYTES } from '../lib/tables/item-size.js';
import type { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { createSnapshotApp, sortKeys, type SnapshotApp } from './support/snapshot-app.js';
import { Prng } from '../bench/prng.js';
import { accountState } from './support/snapshot-states.js';

describe('SnapshotRepository', () => {
  let app: SnapshotApp;
  let snapshots: SnapshotRepository;
  let streams = 0;
  const newStream = () => `snap-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await createSnapshotApp('snapshots');
    snapshots = app.snapshots;
  });
  beforeEach(() => app.tap.reset());
  afterAll(() => app.close());

  /** Write units DynamoDB reports for the PutItems of `run` (asks for ConsumedCapacity on each). */
  async function writeUnits(run: () => Promise<unknown>): Promise<number> {
    let units = 0;
    app.tap.rewrite('PutItemCommand', (input) => (input.ReturnConsumedCapacity = 'TOTAL'));
    app.tap.alterResponses('PutItemCommand', (output) => (units += (output.ConsumedCapacity as { CapacityUnits: number }).CapacityUnits));
    await run();
    return units;
  }

  it('saves a small state as one item with one PutItem of 1 write unit, as readable JSON, and loads it back', async () => {
    const stream = newStream();
    const state = { balance: 315, currency: 'EUR', owner: { name: 'Ann' }, tags: ['vip'], closedAt: null };
    let info!: Awaited<ReturnType<SnapshotRepository['save']>>;
    expect(await writeUnits(async () => (info = await snapshots.save(stream, 5, state, { revision: 1 })))).toBe(1);
    expect(app.tap.sent).toEqual(['PutItemCommand']);
    expect(info).toMatchObject({ streamId: stream, version: 5, revision: 1, encoding: 'json', items: 1, sizeBytes: JSON.stringify(state).length });

    const { Item } = await app.client.send(
      new GetItemCommand({ TableName: app.tableName, Key: { streamId: { S: stream }, sortKey: { S: 's#0000000000000005#0000000000000001' } } }),
    );
    expect(Item?.state).toEqual({ S: JSON.stringify(state) });

    const loaded = await snapshots.load<typeof state>(stream);
    expect(loaded).toEqual({ ...info, state });
    expect(loaded!.takenAt).toBeInstanceOf(Date);
  });

  it('compresses a state over 1 KB and still writes one item while it fits', async () => {
    const stream = newStream();
    const state = accountState(11, 60_000);
    let info!: Awaited<ReturnType<SnapshotRepository['save']>>;
    const units = await writeUnits(async () => (info = await snapshots.save(stream, 40, state, { revision: 2 })));
    expect(app.tap.count('PutItemCommand')).toBe(1);
    expect(info).toMatchObject({ encoding: 'br', items: 1 });
    expect(info.storedBytes).toBeLessThan(info.sizeBytes / 3);
    expect(units).toBeLessThanOrEqual(Math.ceil((info.storedBytes + 200) / 1024));
    expect((await snapshots.load(stream))?.state).toEqual(state);
  });

  it('round-trips a 2 MB state', async () => {
    const stream = newStream();
    const state = accountState(2, 2 * 1024 * 1024);
    const info = await snapshots.save(stream, 1000, state, { revision: 1 });
    expect(info.sizeBytes).toBeGreaterThanOrEqual(2 * 1024 * 1024);
    expect(app.tap.count('PutItemCommand')).toBe(info.items);
    const loaded = await snapshots.load<typeof state>(stream);
    expect(loaded?.state).toEqual(state);
    expect(loaded).toMatchObject({ version: 1000, revision: 1, sizeBytes: info.sizeBytes, storedBytes: info.storedBytes, items: info.items });
  });

  it('round-trips a state over 4 MB, split over parts of at most 400 KB that are written before the snapshot item', async () => {
    const stream = newStream();
    const state = accountState(4, 4.5 * 1024 * 1024);
    const written: string[] = [];
    app.tap.rewrite('PutItemCommand', (input) => written.push((input.Item as { sortKey: { S: string } }).sortKey.S));
    const info = await snapshots.save(stream, 7000, state, { revision: 1 });
    expect(info.sizeBytes).toBeGreaterThan(4 * 1024 * 1024);
    expect(info.items).toBeGreaterThan(2);
    expect(written).toHaveLength(info.items);
    expect(written.slice(0, -1).every((key) => key.startsWith('p#'))).toBe(true);
    expect(written.at(-1)).toBe('s#0000000000007000#0000000000000001'); // visible last
    expect((await snapshots.load(stream))?.state).toEqual(state);
    expect(info.storedBytes).toBeGreaterThan((info.items - 2) * (MAX_ITEM_BYTES - 200)); // parts are full
  });

  it('round-trips a state that barely compresses, over several parts', async () => {
    const stream = newStream();
    const state = { digest: new Prng(9).hex(1_500_000) };
    const info = await snapshots.save(stream, 3, state, { revision: 0 });
    expect(info.items).toBeGreaterThan(2);
    expect((await snapshots.load(stream))?.state).toEqual(state);
  });

  it('loads the newest snapshot at or below a version, of a revision if asked, or undefined', async () => {
    const stream = newStream();
    expect(await snapshots.load(stream)).toBeUndefined();
    await snapshots.save(stream, 10, { at: 10 }, { revision: 1 });
    await snapshots.save(stream, 20, { at: 20 }, { revision: 1 });
    await snapshots.save(stream, 30, { at: 30, big: accountState(30, 3_000_000) }, { revision: 2 }); // multi-part
    await snapshots.save(stream, 30, { at: '30 r1' }, { revision: 1 }); // an older revision at the same version coexists

    const at = async (options: Parameters<SnapshotRepository['load']>[1]) => {
      const loaded = await snapshots.load<{ at: number | string }>(stream, options);
      return loaded === undefined ? undefined : [loaded.version, loaded.revision, loaded.state.at];
    };
    expect(await at(undefined)).toEqual([30, 2, 30]);
    expect(await at({ revision: 1 })).toEqual([30, 1, '30 r1']);
    expect(await at({ revision: 2, atOrBelowVersion: 29 })).toBeUndefined();
    expect(await at({ atOrBelowVersion: 29 })).toEqual([20, 1, 20]);
    expect(await at({ atOrBelowVersion: 20 })).toEqual([20, 1, 20]);
    expect(await at({ atOrBelowVersion: 10, revision: 1 })).toEqual([10, 1, 10]);
    expect(await at({ atOrBelowVersion: 9 })).toBeUndefined();
    expect(await at({ atOrBelowVersion: 0 })).toBeUndefined();
    expect(await at({ revision: 3 })).toBeUndefined();
  });

  it('reads strongly consistently', async () => {
    const stream = newStream();
    await snapshots.save(stream, 1, { big: accountState(5, 3_000_000) }, { revision: 1 });
    const consistent: unknown[] = [];
    app.tap.rewrite('QueryCommand', (input) => consistent.push(input.ConsistentRead));
    app.tap.rewrite('GetItemCommand', (input) => consistent.push(input.ConsistentRead));
    expect(await snapshots.load(stream)).toBeDefined();
    expect(consistent.length).toBeGreaterThan(1);
    expect(consistent.every((value) => value === true)).toBe(true);
  });

  it('replaces a snapshot saved again at the same version and revision, and deletes the replaced parts', async () => {
    const stream = newStream();
    await snapshots.save(stream, 8, accountState(81, 3_000_000), { revision: 1 });
    const second = accountState(82, 3_000_000);
    const info = await snapshots.save(stream, 8, second, { revision: 1 });
    expect((await snapshots.load(stream))?.state).toEqual(second);
    const keys = sortKeys(await app.rawItems(stream));
    expect(keys.filter((key) => key.startsWith('s#'))).toEqual(['s#0000000000000008#0000000000000001']);
    expect(keys.filter((key) => key.startsWith('p#'))).toHaveLength(info.items - 1);
  });
});
