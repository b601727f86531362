import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FEED_START, Projection, ProjectionHandler, ProjectionStoppedError, type FeedEvent, type ResettableProjection } from '../lib/index.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { cutOff } from './support/projection-faults.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, storedProjection, waitUntil, type ProjectionApp, type ProjectionTables } from './support/projection-app.js';
import { SharedReadModel, SharedReadModelModule } from './support/projection-read-model.js';
import { ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';

/** Its recorder is its read model. A minute-long lease: no renewal (an UpdateItem) during a test. Small pages. */
@Projection('rebuildable', { pollIntervalMs: 100, leaseTtlMs: 60_000, pageSize: 3 })
class RebuildableProjection implements ResettableProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }

  reset(): Promise<void> {
    return this.recorder.reset();
  }
}

/** Writes a read model both app instances share (as a table would be); a short lease, so a dead holder is replaced within about a second. */
@Projection('shared-ledger', { pollIntervalMs: 100, leaseTtlMs: 1000, pageSize: 3 })
class SharedLedgerProjection implements ResettableProjection {
  constructor(
    readonly recorder: ProjectionRecorder,
    readonly model: SharedReadModel,
  ) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  async on(_event: object, envelope: FeedEvent): Promise<void> {
    await this.recorder.record(envelope);
    this.model.apply(envelope);
  }

  async reset(): Promise<void> {
    await this.recorder.reset();
    this.model.clear();
  }
}

const ids = (stream: string, count: number) => Array.from({ length: count }, (_, i) => `${stream}@${i + 1}`);

describe('Rebuilds: crash-safe, and one after another', () => {
  const opened: Array<{ apps: ProjectionApp[]; tables: ProjectionTables }> = [];
  afterEach(async () => {
    for (const { apps, tables } of opened.splice(0)) {
      for (const app of apps) await app.close();
      await deleteProjectionTables(tables);
    }
    jest.restoreAllMocks();
  });

  async function rebuildableApp(label: string) {
    const tables = projectionTables(label);
    const app = await createProjectionApp(tables, { projections: [RebuildableProjection], imports: [ProjectionRecorderModule] });
    opened.push({ apps: [app], tables });
    return { tables, app, recorder: app.module.get(RebuildableProjection).recorder };
  }

  it('a rebuild of an empty feed clears its rebuilding flag, so the next holder does not reset again', async () => {
    const { tables, app, recorder } = await rebuildableApp('rb-empty');
    await waitUntil('the projection is live', () => app.manager.status(RebuildableProjection).state === 'live');
    const progress = await app.manager.rebuild(RebuildableProjection);
    expect(progress.eventsHandled).toBe(0);
    expect(recorder.resets).toBe(1);
    const stored = (await storedProjection(tables, 'rebuildable'))!;
    expect(stored.rebuilding).toBeUndefined(); // cleared by a save at the (empty) feed's end
    expect(stored.checkpoint?.S).toBe(FEED_START); // an empty feed ends where it starts
  });

  it('a rebuild that cannot move the checkpoint back resets nothing: the projection goes on from its checkpoint with its read model whole', async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { tables, app, recorder } = await rebuildableApp('rb-save-fails');
    await app.store.append('r-1', [new AccountOpened('r-1', 'rae'), ...deposits('r-1', 4)], { expectedVersion: 'no-stream' });
    await waitUntil('the projection handled 5 events', () => recorder.handled.length === 5 && app.manager.status(RebuildableProjection).state === 'live');
    await waitUntil('it saved its checkpoint', async () => (await storedProjection(tables, 'rebuildable'))?.eventsHandled?.N === '5');

    // Every attempt (the app retries 3 times) of the write that moves the checkpoint back is throttled.
    app.tap.failNext('UpdateItemCommand', 3, 'ThrottlingException');
    await expect(app.manager.rebuild(RebuildableProjection)).rejects.toMatchObject({ code: 'RETRIES_EXHAUSTED' });
    expect(recorder.resets).toBe(0);
    expect(recorder.ids()).toEqual(ids('r-1', 5));
    expect((await storedProjection(tables, 'rebuildable'))?.rebuilding).toBeUndefined();

    await app.store.append('r-1', deposits('r-1', 1, 0, 50), { expectedVersion: 5 });
    await waitUntil('it handled the next commit', () => recorder.ids().includes('r-1@6') && app.manager.status(RebuildableProjection).state === 'live');
    expect(recorder.ids()).toEqual(ids('r-1', 6));
    expect(app.manager.status(RebuildableProjection)).toMatchObject({ eventsHandled: 6, eventsSkipped: 0 });

    // Once DynamoDB answers again, the rebuild goes through.
    await expect(app.manager.rebuild(RebuildableProjection)).resolves.toMatchObject({ eventsHandled: 6, fraction: 1 });
    expect(recorder.resets).toBe(1);
    expect(recorder.ids()).toEqual(ids('r-1', 6));
    const item = (await storedProjection(tables, 'rebuildable'))!;
    expect([item.eventsHandled?.N, item.rebuilding]).toEqual(['6', undefined]);
  });

  it('a reset() that fails partway is called again before the projection reads on: the read model ends up fully rebuilt', async () => {
    const errors: string[] = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { tables, app, recorder } = await rebuildableApp('rb-reset-fails');
    await app.store.append('s-1', [new AccountOpened('s-1', 'sam'), ...deposits('s-1', 4)], { expectedVersion: 'no-stream' });
    await waitUntil('the projection handled 5 events', () => recorder.handled.length === 5 && app.manager.status(RebuildableProjection).state === 'live');

    // The first reset() deletes part of the read model, then fails.
    recorder.onReset = () => {
      if (recorder.resets > 1) return;
      recorder.handled.splice(0, 2);
      throw new Error('injected reset failure');
    };
    await expect(app.manager.rebuild(RebuildableProjection)).rejects.toThrow('injected reset failure');

    await waitUntil(
      'the projection reset again and replayed everything',
      () => recorder.resets === 2 && recorder.handled.length === 5 && app.manager.status(RebuildableProjection).state === 'live',
    );
    expect(recorder.ids()).toEqual(ids('s-1', 5));
    const status = app.manager.status(RebuildableProjection);
    expect(status).toMatchObject({ eventsHandled: 5, eventsSkipped: 0 });
    expect(status.lastError?.message).toBe('injected reset failure');
    expect(errors.some((message) => message.includes('"rebuildable" failed to reset during its rebuild'))).toBe(true);
    await waitUntil('it saved its checkpoint', async () => (await storedProjection(tables, 'rebuildable'))?.eventsHandled?.N === '5');
    expect((await storedProjection(tables, 'rebuildable'))?.rebuilding).toBeUndefined();
  });

  it('a holder that dies inside reset(): the instance that takes over resets again and rebuilds the shared read model in full', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const tables = projectionTables('rb-crash');
    const apps: ProjectionApp[] = [];
    opened.push({ apps, tables });
    const model = new SharedReadModel();
    const start = async () => {
      const app = await createProjectionApp(tables, { projections: [SharedLedgerProjection], imports: [ProjectionRecorderModule, SharedReadModelModule.of(model)] });
      apps.push(app);
      return { app, recorder: app.module.get(SharedLedgerProjection).recorder };
    };
    const { app: a, recorder: recorderA } = await start();
    await waitUntil('instance a runs the projection', () => a.manager.status(SharedLedgerProjection).state === 'live');
    await a.store.append('d-1', [new AccountOpened('d-1', 'dan'), ...deposits('d-1', 5)], { expectedVersion: 'no-stream' });
    await waitUntil('instance a built the read model', async () => model.ids().length === 6 && (await storedProjection(tables, 'shared-ledger'))?.eventsHandled?.N === '6');
    const epochA = Number((await storedProjection(tables, 'shared-ledger'))!.leaseEpoch!.N);
    const { app: b, recorder: recorderB } = await start();
    await waitUntil('instance b checked the lease', () => b.tap.count('GetItemCommand') >= 2);
    expect(b.manager.status(SharedLedgerProjection).state).toBe('standby');

    // a "dies" inside reset(): it has deleted part of the read model, then never comes back (cut off, hung).
    let revive!: () => void;
    const dead = new Promise<void>((resolve) => (revive = resolve));
    recorderA.onReset = async () => {
      model.deleteSome(3);
      cutOff(a.tap);
      await dead;
      throw new Error('process died during reset()');
    };
    const rebuild = a.manager.rebuild(SharedLedgerProjection).catch((error: unknown) => error);
    try {
      await waitUntil('instance a is inside reset()', () => recorderA.resets === 1);
      // The checkpoint went back, flagged, before reset() was called.
      const flagged = (await storedProjection(tables, 'shared-ledger'))!;
      expect([flagged.checkpoint?.S, flagged.eventsHandled?.N, flagged.rebuilding?.BOOL]).toEqual([FEED_START, '0', true]);
      expect(model.ids()).toHaveLength(3);

      await waitUntil(
        'instance b took over, reset and rebuilt the read model',
        () => recorderB.resets === 1 && model.ids().length === 6 && b.manager.status(SharedLedgerProjection).state === 'live',
      );
      expect(model.ids()).toEqual(ids('d-1', 6).sort());
      expect(b.manager.status(SharedLedgerProjection)).toMatchObject({ eventsHandled: 6, eventsSkipped: 0 });
      await waitUntil('instance b saved its checkpoint', async () => (await storedProjection(tables, 'shared-ledger'))?.eventsHandled?.N === '6');
      const item = (await storedProjection(tables, 'shared-ledger'))!;
      expect([item.rebuilding, Number(item.leaseEpoch!.N)]).toEqual([undefined, epochA + 1]);

      await b.store.append('d-1', deposits('d-1', 1, 0, 9), { expectedVersion: 6 });
      await waitUntil('instance b follows on', () => model.ids().includes('d-1@7'));
    } finally {
      revive();
    }
    expect(await rebuild).toEqual(new Error('process died during reset()'));
  });

  it('runs rebuilds one after another: three called at once all succeed, on a stopped projection that ends stopped', async () => {
    const { tables, app, recorder } = await rebuildableApp('rb-queued');
    await app.store.append('q-1', [new AccountOpened('q-1', 'quin'), ...deposits('q-1', 3)], { expectedVersion: 'no-stream' });
    // Handled, so indexed (a rebuild replays up to the index head it finds); then stopped.
    await waitUntil('the projection handled the commit', () => recorder.handled.length === 4);
    await app.manager.stop(RebuildableProjection);

    // Each one releases the lease at its end, and the next takes it again: those must not overlap.
    const results = await Promise.allSettled([app.manager.rebuild(RebuildableProjection), app.manager.rebuild('rebuildable'), app.manager.rebuild(RebuildableProjection)]);
    expect(results.map((result) => (result.status === 'fulfilled' ? result.value : result.reason))).toEqual([
      expect.objectContaining({ eventsHandled: 4, fraction: 1 }),
      expect.objectContaining({ eventsHandled: 4, fraction: 1 }),
      expect.objectContaining({ eventsHandled: 4, fraction: 1 }),
    ]);
    expect(recorder.resets).toBe(3);
    expect(recorder.ids()).toEqual(ids('q-1', 4));
    expect(app.manager.status(RebuildableProjection)).toMatchObject({ state: 'stopped', eventsHandled: 4 });
    const item = (await storedProjection(tables, 'rebuildable'))!;
    expect([item.leaseOwner, item.eventsHandled?.N]).toEqual([undefined, '4']);

    // stop() drops rebuilds still waiting for their turn, before they change anything.
    const dropped = [app.manager.rebuild(RebuildableProjection), app.manager.rebuild(RebuildableProjection)];
    await app.manager.stop(RebuildableProjection);
    for (const rebuild of dropped) await expect(rebuild).rejects.toEqual(new ProjectionStoppedError('rebuildable', false));
    expect(recorder.resets).toBe(3);
    expect(await storedProjection(tables, 'rebuildable')).toEqual(item);
  });
});
