import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { FEED_START, Projection, ProjectionHandler, ProjectionLeaseHeldError, ProjectionLeaseLostError, type FeedEvent } from '../lib/index.js';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { testClientConfig } from './support/dynamodb.js';
import { cutOff, delayNextRequest, stallRequests } from './support/projection-faults.js';
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

  reset(): Promise<void> {
    return this.recorder.reset();
  }
}

/** Renews every 300 ms: throttled renewals have 600 ms left to go through. */
@Projection('renewing', { pollIntervalMs: 100, leaseTtlMs: 900 })
class RenewingProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

type ProjectionClass = typeof SharedProjection | typeof PatientProjection;

/** A lease renewal, as the holder sends it (the other UpdateItems set or remove the owner, or the checkpoint). */
const isRenewal = (command: string, input: Record<string, unknown>) => command === 'UpdateItemCommand' && input.UpdateExpression === 'SET #expires = :expires, #updated = :now';
const isRelease = (command: string, input: Record<string, unknown>) => command === 'UpdateItemCommand' && String(input.UpdateExpression).startsWith('REMOVE');

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
    await expect(store.save(name, { owner: ownerA, epoch: epochA, expiresAt: Date.now() + 1000 }, { checkpoint: FEED_START, eventsHandled: 0, eventsSkipped: 0 })).rejects.toThrow(
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
  it('fences off a holder whose slow handler outlasted its lease (its renewals stuck): its page save is refused, it stands by, and no event is lost', async () => {
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const { tables, name, a, b, recorderA, recorderB } = await twoInstances('lease-slow', SharedProjection);
    await a.store.append('x-0', [new AccountOpened('x-0', 'xia')], { expectedVersion: 'no-stream' });
    await waitUntil('instance a saved its checkpoint', async () => (await storedProjection(tables, name))?.eventsHandled?.N === '1');
    const held = (await storedProjection(tables, name))!;

    // From now on a's renewals hang (a dead connection), and its handler of x-1@3, the last of its page, is slow.
    const renewals = stallRequests(a.client, isRenewal);
    let resume!: () => void;
    const slow = new Promise<void>((resolve) => (resume = resolve));
    recorderA.holdWhen = (event) => (idOf(event) === 'x-1@3' ? slow : undefined);
    try {
      await a.store.append('x-1', [new AccountOpened('x-1', 'xan'), ...deposits('x-1', 2)], { expectedVersion: 'no-stream' });
      await waitUntil('instance a is inside the slow handler', () => recorderA.attempts.includes('x-1@3'));

      // The lease runs out for real (nothing fakes its expiry); b takes over from a's last saved checkpoint.
      await waitUntil('instance b took over and handled x-1', () => ['x-1@1', 'x-1@2', 'x-1@3'].every((id) => recorderB.ids().includes(id)));
      expect(renewals.stalled).toBeGreaterThan(0);
      expect(recorderA.ids()).toEqual(['x-0@1', 'x-1@1', 'x-1@2']);

      resume();
      await waitUntil('instance a stands by', () => a.manager.status(name).state === 'standby' && warnings.some((w) => w.includes('Saving the checkpoint was refused')));
      expect(recorderA.ids()).toEqual(['x-0@1', 'x-1@1', 'x-1@2', 'x-1@3']);
      await waitUntil('instance b saved its checkpoint', async () => (await storedProjection(tables, name))!.checkpoint?.S === recorderB.handled.at(-1)!.checkpoint);
      const after = (await storedProjection(tables, name))!;
      expect(after.leaseOwner!.S).not.toBe(held.leaseOwner!.S);
      expect(Number(after.leaseEpoch!.N)).toBe(Number(held.leaseEpoch!.N) + 1);

      await b.store.append('x-2', [new AccountOpened('x-2', 'xu')], { expectedVersion: 'no-stream' });
      await waitUntil('instance b handled x-2', () => recorderB.ids().includes('x-2@1'));
      // At least once: every committed event was handled by one instance or the other (x-1 by both).
      expect([...new Set([...recorderA.ids(), ...recorderB.ids()])].sort()).toEqual(['x-0@1', 'x-1@1', 'x-1@2', 'x-1@3', 'x-2@1']);
      expect(recorderA.ids()).not.toContain('x-2@1');
    } finally {
      resume();
      renewals.end();
    }
  });

  it('keeps its lease through throttled renewals: retried while the lease lasts, so the page being handled is saved and nothing is handled twice', async () => {
    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    const tables = projectionTables('lease-renew');
    const app = await createProjectionApp(tables, { projections: [RenewingProjection], imports: [ProjectionRecorderModule] });
    opened.push({ apps: [app], tables });
    const recorder = app.module.get(RenewingProjection).recorder;
    await waitUntil('the projection runs', () => app.manager.status(RenewingProjection).state === 'live');

    let resume!: () => void;
    const held = new Promise<void>((resolve) => (resume = resolve));
    recorder.holdWhen = (event) => (idOf(event) === 'n-1@2' ? held : undefined);
    let before: Awaited<ReturnType<typeof storedProjection>>;
    try {
      await app.store.append('n-1', [new AccountOpened('n-1', 'nia'), ...deposits('n-1', 3)], { expectedVersion: 'no-stream' });
      await waitUntil('the handler of n-1@2 is running', () => recorder.attempts.includes('n-1@2'));

      // Mid-page, nothing else updates the item: the next two UpdateItems are renewals.
      before = (await storedProjection(tables, 'renewing'))!;
      const sent = app.tap.count('UpdateItemCommand');
      app.tap.failNext('UpdateItemCommand', 2, 'ThrottlingException');
      await waitUntil(
        'a renewal went through after two throttled attempts',
        async () => app.tap.count('UpdateItemCommand') >= sent + 3 && Number((await storedProjection(tables, 'renewing'))!.leaseExpiresAt!.N) > Number(before!.leaseExpiresAt!.N),
      );
    } finally {
      resume();
    }

    await waitUntil('the page was handled and saved', async () => (await storedProjection(tables, 'renewing'))?.eventsHandled?.N === '4');
    expect(recorder.ids()).toEqual(['n-1@1', 'n-1@2', 'n-1@3', 'n-1@4']);
    const after = (await storedProjection(tables, 'renewing'))!;
    expect([after.leaseOwner!.S, after.leaseEpoch!.N]).toEqual([before!.leaseOwner!.S, before!.leaseEpoch!.N]);
    expect(warnings.filter((w) => w.includes('could not renew its lease'))).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('lost its lease'))).toEqual([]);
    expect(app.manager.status(RenewingProjection)).toMatchObject({ state: 'live', eventsHandled: 4 });
  });

  it('a release from an earlier tenure that lands late does not remove the lease of the next one', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const tables = projectionTables('lease-stale');
    const app = await createProjectionApp(tables, { projections: [PatientProjection], imports: [ProjectionRecorderModule] });
    opened.push({ apps: [app], tables });
    const recorder = app.module.get(PatientProjection).recorder;
    await waitUntil('the projection runs', () => app.manager.status(PatientProjection).state === 'live');
    const first = (await storedProjection(tables, 'patient'))!;

    // The stop's release times out on the way, and will reach DynamoDB only later.
    const lateRelease = delayNextRequest(app.client, isRelease);
    await app.manager.stop(PatientProjection);
    expect((await storedProjection(tables, 'patient'))!.leaseOwner).toEqual(first.leaseOwner);
    // Its own unexpired lease: taken back at once, as a new tenure.
    await app.manager.start(PatientProjection);
    await waitUntil('the projection runs again', () => app.manager.status(PatientProjection).state === 'live');
    const second = (await storedProjection(tables, 'patient'))!;
    expect(second.leaseOwner!.S).not.toBe(first.leaseOwner!.S);
    expect(Number(second.leaseEpoch!.N)).toBe(Number(first.leaseEpoch!.N) + 1);

    const client = new DynamoDBClient(testClientConfig());
    try {
      await expect(client.send(new UpdateItemCommand((await lateRelease) as unknown as UpdateItemCommandInput))).rejects.toMatchObject({
        name: 'ConditionalCheckFailedException',
      });
    } finally {
      client.destroy();
    }
    const after = (await storedProjection(tables, 'patient'))!;
    expect([after.leaseOwner, after.leaseEpoch]).toEqual([second.leaseOwner, second.leaseEpoch]);
    await app.store.append('l-1', [new AccountOpened('l-1', 'lou')], { expectedVersion: 'no-stream' });
    await waitUntil('the projection handled l-1@1', () => recorder.ids().includes('l-1@1'));
  });
});
