import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { RetriesExhaustedError } from '../lib/errors/retries-exhausted.error.js';
import type { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { createSnapshotApp, sortKeys, type SnapshotApp } from './support/snapshot-app.js';
import { accountState } from './support/snapshot-states.js';

/** Large enough to need several parts (about 585 KB stored for 3 MB of JSON). */
const BIG_STATE_BYTES = 3_000_000;

/**
 * A half-written snapshot is never returned: parts are written first, the snapshot item that lists
 * them last, and a load checks the parts against it. Faults are injected on the real client.
 */
describe('SnapshotRepository under faults', () => {
  let app: SnapshotApp;
  let snapshots: SnapshotRepository;
  let streams = 0;
  const newStream = () => `snap-fault-${++streams}-${Date.now()}`;
  const sortKeyOf = (input: Record<string, unknown>) => (input.Item as { sortKey: { S: string } }).sortKey.S;

  /** Makes DynamoDB refuse the `n`th PutItem from now (its key is removed, so it fails validation). */
  function refusePut(n: number): void {
    let puts = 0;
    app.tap.rewrite('PutItemCommand', (input) => {
      if (++puts === n) delete (input.Item as Record<string, unknown>).streamId;
    });
  }

  beforeAll(async () => {
    app = await createSnapshotApp('snapshot-faults');
    snapshots = app.snapshots;
  });
  let warnings: string[];
  beforeEach(() => {
    app.tap.reset();
    warnings = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  afterAll(() => app.close());

  it('a failed part write leaves the previous snapshot as the one loaded, and no trace of the failed one', async () => {
    const stream = newStream();
    await snapshots.save(stream, 10, { at: 10 }, { revision: 1 });
    const written: string[] = [];
    app.tap.rewrite('PutItemCommand', (input) => written.push(sortKeyOf(input)));
    refusePut(2); // the second part

    await expect(snapshots.save(stream, 20, accountState(20, BIG_STATE_BYTES), { revision: 1 })).rejects.toMatchObject({ name: 'ValidationException' });
    expect(written.every((key) => key.startsWith('p#'))).toBe(true); // the snapshot item was never sent
    expect(await snapshots.load(stream)).toMatchObject({ version: 10, state: { at: 10 } });
    expect(sortKeys(await app.rawItems(stream))).toEqual(['s#0000000000000010#0000000000000001']); // the part that landed was removed
  });

  it('a snapshot item whose response is lost (the SDK resends it) keeps its own parts and stays loadable', async () => {
    const stream = newStream();
    const state = accountState(30, BIG_STATE_BYTES);
    const partPuts = (await snapshots.save(newStream(), 1, state, { revision: 1 })).items - 1; // parts per save of this state
    app.tap.reset();
    let puts = 0;
    app.tap.rewrite('PutItemCommand', () => {
      if (++puts === partPuts + 1) app.tap.loseNextResponse('PutItemCommand'); // the snapshot item
    });
    await snapshots.save(stream, 30, state, { revision: 1 });
    expect(app.tap.answered.filter((command) => command === 'PutItemCommand').length).toBe(partPuts + 2); // the SDK did resend it
    expect(await snapshots.load(stream)).toMatchObject({ version: 30, state });
  });

  it('a save that dies after its parts (no snapshot item, no clean-up) is invisible; delete() removes its parts', async () => {
    const stream = newStream();
    await snapshots.save(stream, 10, { at: 10 }, { revision: 1 });
    const big = accountState(21, BIG_STATE_BYTES);
    const parts = (await snapshots.save(`${stream}-probe`, 1, big, { revision: 1 })).items - 1;
    refusePut(parts + 1); // the snapshot item
    app.tap.failNext('BatchWriteItemCommand', 3, 'InternalServerError'); // and the clean-up, past its retries: as if the process had died

    await expect(snapshots.save(stream, 30, big, { revision: 1 })).rejects.toMatchObject({ name: 'ValidationException' });
    const keys = sortKeys(await app.rawItems(stream));
    expect(keys.filter((key) => key.startsWith('p#'))).toHaveLength(parts); // orphaned parts stay...
    expect(await snapshots.load(stream)).toMatchObject({ version: 10, state: { at: 10 } }); // ...unseen
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`${stream}.*${parts} unlisted part items could not be deleted`))]);

    expect(await snapshots.delete(stream)).toBe(1);
    expect(await app.rawItems(stream)).toEqual([]);
  });

  it('a snapshot with a missing part is skipped for the previous complete one, or undefined', async () => {
    const stream = newStream();
    await snapshots.save(stream, 10, accountState(10, BIG_STATE_BYTES), { revision: 1 });
    const newer = accountState(11, BIG_STATE_BYTES);
    await snapshots.save(stream, 20, newer, { revision: 1 });
    expect((await snapshots.load(stream))?.state).toEqual(newer);

    // As if time to live had removed a part before its snapshot item.
    for (const version of [20, 10]) {
      const part = sortKeys(await app.rawItems(stream)).find((key) => key.startsWith(`p#${String(version).padStart(16, '0')}#`))!;
      await app.client.send(new DeleteItemCommand({ TableName: app.tableName, Key: { streamId: { S: stream }, sortKey: { S: part } } }));
      const loaded = await snapshots.load(stream);
      expect(loaded?.version).toBe(version === 20 ? 10 : undefined);
      expect(warnings.at(-1)).toMatch(new RegExp(`${stream}" at version ${version} .*missing 1 of its 2 parts; skipped`));
    }
  });

  it('a snapshot whose parts do not match its checksum is skipped', async () => {
    const stream = newStream();
    await snapshots.save(stream, 10, { at: 10 }, { revision: 1 });
    await snapshots.save(stream, 20, accountState(12, BIG_STATE_BYTES), { revision: 1 });
    const part = (await app.rawItems(stream)).find((item) => item.sortKey!.S!.startsWith('p#'))!;
    const altered = Buffer.from(part.data!.B!);
    altered[1000] = altered[1000]! ^ 0xff; // one flipped byte, same length
    await app.client.send(new PutItemCommand({ TableName: app.tableName, Item: { ...part, data: { B: altered } } }));
    expect(await snapshots.load(stream)).toMatchObject({ version: 10, state: { at: 10 } });
    expect(warnings).toEqual([expect.stringMatching(/at version 20 .*does not match its checksum; skipped/)]);
  });

  it('retries throttled writes, and when retries run out nothing partial is visible', async () => {
    const stream = newStream();
    app.tap.failNext('PutItemCommand', 2, 'ProvisionedThroughputExceededException');
    const state = accountState(13, BIG_STATE_BYTES);
    await snapshots.save(stream, 5, state, { revision: 1 });
    expect((await snapshots.load(stream))?.state).toEqual(state);

    app.tap.reset();
    app.tap.failNext('PutItemCommand', 100, 'ThrottlingException');
    const failure = snapshots.save(stream, 6, accountState(14, BIG_STATE_BYTES), { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toThrow(/saving again is safe/);
    app.tap.reset();
    expect((await snapshots.load(stream))?.version).toBe(5);
  });
});
