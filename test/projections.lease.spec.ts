import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FEED_START, Projection, ProjectionHandler, ProjectionLeaseHeldError, ProjectionLeaseLostError, type FeedEvent } from '../lib/index.js';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import type { RequestTap } from './support/fault-injection.js';
import {
  createProjectionApp,
  deleteProjectionTables,
  expireLease,
  projectionTables,
  storedProjection,
  waitUntil,
  type ProjectionApp,
  type ProjectionTables,
} from './support/projection-app.js';
import { idOf, ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';

/** A short lease: a dead holder is replaced within about a second. */
@Projection('shared', { pollIntervalMs: 100, leaseTtlMs: 1000 })
class SharedProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** A minute-long lease: anything faster than that is not expiry at work. Rebuildable. */
@Projection('patient', { pollIntervalMs: 100, leaseTtlMs: 60_000 })
class PatientProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }

  reset(): void {
    this.recorder.reset();
  }
}

type ProjectionClass = typeof SharedProjection | typeof PatientProjection;

/** A network partition: from now on, every request of the instance fails before reaching DynamoDB. */
function cutOff(tap: RequestTap): void {
  for (const command of ['GetItemCommand', 'UpdateItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'PutItemCommand', 'TransactWriteItemsCommand']) {
    tap.failNext(command, Infinity, 'NetworkingError');
  }
}

describe('Projection leases: one app instance at a time runs a projection', () => {
  const opened: Array<{ apps: ProjectionApp[]; tables: ProjectionTables }> = [];
  afterEach(async () => {
    for (const { apps, tables } of opened.splice(0)) {
      for (const app of apps) await app.close();
      await deleteProjectionTables(tables);
    }
    jest.restoreAllMocks();
  });

  /** Instance `a` running the projection, then instance `b` on standby, on fresh shared tables. */
  async function twoInstances(label: string, type: ProjectionClass) {
    const tables = projectionTables(label);
    const apps: ProjectionApp[] = [];
    opened.push({ apps, tables });
    const start = async () => {
      const app = await createProjectionApp(tables, { projections: [type], imports: [ProjectionRecorderModule] });
      apps.push(app);
      return app;
    };
    const name = type === SharedProjection ? 'shared' : 'patient';
    const a = await start();
    await waitUntil('instance a runs the projection', () => a.manager.status(type).state === 'live');
    const b = await start();
    // b has looked at the lease and found it taken.
    await waitUntil('instance b checked the lease', () => b.tap.count('GetItemCommand') >= 2);
    expect(b.manager.status(type).state).toBe('standby');
    const recorderOf = (app: ProjectionApp) => app.module.get(type).recorder;
    return { tables, name, a, b, recorderA: recorderOf(a), recorderB: recorderOf(b) };
  }

  it('takes over when the holder dies (cut off from DynamoDB): after the lease expires, the other instance handles what follows', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const { tables, name, a, b, recorderA, recorderB } = await twoInstances('lease-takeover', SharedProjection);

    await a.store.append('t-1', [new AccountOpened('t-1', 'tia')], { expectedVersion: 'no-stream' });
    await a.store.append('t-1', deposits('t-1', 3), { expectedVersion: 1 });
    await waitUntil('instance a handled 4 events', () => recorderA.handled.length === 4);
    expect(recorderB.handled).toEqual([]);
    await waitUntil('instance a saved its checkpoint', async () => (await storedProjection(tables, name))?.eventsHandled?.N === '4');
    const before = (await storedProjection(tables, name))!;
    const ownerA = before.leaseOwner!.S!;
    const epochA = Number(before.leaseEpoch!.N);

    cutOff(a.tap);
    await b.store.append('t-1', deposits('t-1', 2, 0, 10), { expectedVersion: 4 });
    await b.store.append('t-2', [new AccountOpened('t-2', 'tom')], { expectedVersion: 'no-stream' });

    await waitUntil(
      'instance b took over and caught up',
      () => ['t-1@5', 't-1@6', 't-2@1'].every((id) => recorderB.ids().includes(id)) && b.manager.status(name).state === 'live',
    );
    await waitUntil('instance a stands by', () => a.manager.status(name).state === 'standby');
    const handled = new Set([...recorderA.ids(), ...recorderB.ids()]);
    expect([...handled].sort()).toEqual(['t-1@1', 't-1@2', 't-1@3', 't-1@4', 't-1@5', 't-1@6', 't-2@1']);
    expect(recorderA.ids()).toEqual(['t-1@1', 't-1@2', 't-1@3', 't-1@4']);

    const after = (await storedProjection(tables, name))!;
    expect(after.leaseOwner!.S).not.toBe(ownerA);
    expect(Number(after.leaseEpoch!.N)).toBe(epochA + 1);
    // Were a's requests to get through again, its checkpoint saves would be refused: they are fenced by owner and epoch.
    const store = new ProjectionStore(b.client, tables.projections, b.runtime.options.retry);
    await expect(store.save(name, { owner: ownerA, epoch: epochA, expiresAt: Date.now() + 1000 }, { checkpoint: FEED_START, eventsHandled: 0 })).rejects.toThrow(
      ProjectionLeaseLostError,
    );
    expect((await storedProjection(tables, name))!.checkpoint).toEqual(after.checkpoint);
  });

  it('fences off a holder that stalled past its lease: its checkpoint save is refused and it stops, the new holder goes on', async () => {
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const { tables, name, a, b, recorderA, recorderB } = await twoInstances('lease-fence', PatientProjection);
    let resume!: () => void;
    const stalled = new Promise<void>((resolve) => (resume = resolve));
    recorderA.holdWhen = (event) => (idOf(event) === 'f-1@2' ? stalled : undefined);

    await a.store.append('f-1', [new AccountOpened('f-1', 'fred')], { expectedVersion: 'no-stream' });
    await a.store.append('f-1', deposits('f-1', 1), { expectedVersion: 1 });
    await waitUntil('instance a is inside the handler of f-1@2', () => recorderA.attempts.includes('f-1@2'));

    // a's lease runs out while it is stalled (its renewal is 20 s away, so only the expiry is faked).
    await expireLease(tables, name);
    await waitUntil('instance b took over and handled f-1@2', () => recorderB.ids().includes('f-1@2'));
    resume();
    await waitUntil('instance a stands by', () => a.manager.status(name).state === 'standby');

    expect(warnings.some((w) => w.includes(`"${name}" lost its lease`) && w.includes('Saving the checkpoint was refused'))).toBe(true);
    // At least once: the event a was handling when it stalled was handled again by b.
    expect(recorderA.ids()).toContain('f-1@2');
    expect(recorderB.ids()).toContain('f-1@2');
    await waitUntil('instance b saved its checkpoint', async () => (await storedProjection(tables, name))!.checkpoint?.S === recorderB.handled.at(-1)!.checkpoint);
    expect((await storedProjection(tables, name))!.leaseEpoch!.N).toBe('2');

    await b.store.append('f-1', deposits('f-1', 1, 0, 7), { expectedVersion: 2 });
    await waitUntil('instance b handled f-1@3', () => recorderB.ids().includes('f-1@3'));
    expect(recorderA.ids()).not.toContain('f-1@3');
  });

  it('refuses a rebuild where another instance runs the projection, then hands over at once on a graceful shutdown', async () => {
    const { tables, name, a, b, recorderA, recorderB } = await twoInstances('lease-handover', PatientProjection);
    const held = (await storedProjection(tables, name))!;
    expect(Number(held.leaseExpiresAt!.N) - Date.now()).toBeGreaterThan(50_000);

    await expect(b.manager.rebuild(PatientProjection)).rejects.toThrow(ProjectionLeaseHeldError);
    await expect(b.manager.rebuild(name)).rejects.toMatchObject({ code: 'PROJECTION_LEASE_HELD', holder: held.leaseOwner!.S });
    expect([recorderA.resets, recorderB.resets]).toEqual([0, 0]);
    expect(await storedProjection(tables, name)).toEqual(held);
    expect(b.manager.status(name).state).toBe('standby');

    await a.close();
    // Released (or already taken by b): a's shutdown gave it up.
    expect((await storedProjection(tables, name))!.leaseOwner?.S).not.toBe(held.leaseOwner!.S);
    await b.store.append('h-1', [new AccountOpened('h-1', 'hal')], { expectedVersion: 'no-stream' });
    // Well within the 60 s the released lease had left.
    await waitUntil('instance b took over', () => recorderB.ids().includes('h-1@1') && b.manager.status(name).state === 'live', 10_000);
    expect(Number((await storedProjection(tables, name))!.leaseEpoch!.N)).toBe(Number(held.leaseEpoch!.N) + 1);
  });
});
