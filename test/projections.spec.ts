import { DescribeTableCommand, DynamoDBClient, ResourceNotFoundException, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { ProjectionStore } from '../lib/projections/projection-store.js';
import {
  DynamoEventSourcingModule,
  FEED_START,
  FeedCheckpointMismatchError,
  FeedDisabledError,
  InvalidArgumentError,
  InvalidModuleOptionsError,
  Projection,
  ProjectionHandler,
  ProjectionHandlerError,
  ProjectionNotResettableError,
  projectionsTableDefinition,
  TableMismatchError,
  UnknownProjectionError,
  type FeedEvent,
  type RebuildProgress,
  type ResettableProjection,
} from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { AccountOpened, deposits, MoneyDeposited, MoneyWithdrawn, TEST_EVENTS } from './support/events.js';
import {
  createProjectionApp,
  deleteProjectionTables,
  projectionTables,
  storedProjection,
  waitUntil,
  type ProjectionApp,
} from './support/projection-app.js';
import { idOf, ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';

/** Accounts opened and deposits, through an injected recorder; rebuildable. Small pages, so that reads span several. */
@Projection('ledger', { pollIntervalMs: 100, pageSize: 3 })
class LedgerProjection implements ResettableProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  async record(_event: AccountOpened | MoneyDeposited, envelope: FeedEvent<AccountOpened | MoneyDeposited>): Promise<void> {
    await this.recorder.record(envelope);
  }

  reset(): Promise<void> {
    return this.recorder.reset();
  }
}

/** Withdrawals only, and no reset(): it cannot be rebuilt. */
@Projection('withdrawals', { pollIntervalMs: 100 })
class WithdrawalsProjection {
  readonly seen: FeedEvent[] = [];

  @ProjectionHandler(MoneyWithdrawn)
  withdrawn(event: MoneyWithdrawn, envelope: FeedEvent<MoneyWithdrawn>): void {
    expect(event).toBeInstanceOf(MoneyWithdrawn);
    this.seen.push(envelope);
  }
}

/** Polls once a minute: only the notifier (an in-process commit, a batch of this process's indexer) can wake it sooner. */
@Projection('wake-up', { pollIntervalMs: 60_000 })
class WakeUpProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(MoneyDeposited)
  deposited(_event: MoneyDeposited, envelope: FeedEvent<MoneyDeposited>): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** Checks a blocked checkpoint every second (the standby checks' least interval). */
@Projection('blocked', { pollIntervalMs: 100, leaseTtlMs: 3000 })
class BlockedProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** Writes a projection's stored checkpoint by hand, as a 0.3 table holds it or as a migration converts it. */
async function setStoredCheckpoint(tables: ReturnType<typeof projectionTables>, name: string, checkpoint: string): Promise<void> {
  const client = new DynamoDBClient(testClientConfig());
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tables.projections,
        Key: { projection: { S: name } },
        UpdateExpression: 'SET #c = :c',
        ExpressionAttributeNames: { '#c': 'checkpoint' },
        ExpressionAttributeValues: { ':c': { S: checkpoint } },
      }),
    );
  } finally {
    client.destroy();
  }
}

/** Parks an event after 3 failed calls and goes on with its stream's later events; backs off briefly. */
@Projection('poison', { pollIntervalMs: 20, maxAttempts: 3, parkedStream: 'continue' })
class PoisonTolerantProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

/** Each stream's versions in the order they were handled. */
function versionsByStream(events: readonly FeedEvent[]): Map<string, number[]> {
  const byStream = new Map<string, number[]>();
  for (const event of events) byStream.set(event.streamId, [...(byStream.get(event.streamId) ?? []), event.version]);
  return byStream;
}

const stored = async (tables: ReturnType<typeof projectionTables>, name: string) => {
  const item = await storedProjection(tables, name);
  return { checkpoint: item?.checkpoint?.S, eventsHandled: Number(item?.eventsHandled?.N ?? 0), item };
};

describe('Projections', () => {
  describe('following the feed', () => {
    const tables = projectionTables('proj-follow');
    let app: ProjectionApp;
    let recorder: ProjectionRecorder;
    let withdrawals: WithdrawalsProjection;
    /** Ids of the events the ledger handles, as appended. */
    const ledgerIds: string[] = [];

    const append = async (streamId: string, events: object[]) => {
      const result = await app.store.append(streamId, events, { expectedVersion: 'any' });
      result.envelopes.forEach((envelope) => {
        if (!(envelope.event instanceof MoneyWithdrawn)) ledgerIds.push(idOf(envelope));
      });
    };

    beforeAll(async () => {
      app = await createProjectionApp(tables, {
        projections: [LedgerProjection, WithdrawalsProjection],
        imports: [ProjectionRecorderModule],
        options: { projections: { autoStart: false } },
      });
      recorder = app.module.get(LedgerProjection).recorder;
      withdrawals = app.module.get(WithdrawalsProjection);
    });
    afterAll(async () => {
      await app.close();
      await deleteProjectionTables(tables);
    });

    it('catches up on the events stored before it started, then follows new commits, each event once in stream order', async () => {
      await append('acc-a', [new AccountOpened('acc-a', 'ann'), ...deposits('acc-a', 2)]);
      await append('acc-b', [new AccountOpened('acc-b', 'bob')]);
      await append('acc-a', [new MoneyWithdrawn('acc-a', 1), ...deposits('acc-a', 1, 0, 10)]);
      await append('acc-b', deposits('acc-b', 3));
      expect(app.manager.status(LedgerProjection)).toEqual({ name: 'ledger', state: 'stopped', checkpoint: undefined, eventsHandled: 0, eventsSkipped: 0 });

      await app.manager.start();
      await waitUntil('the ledger caught up', () => recorder.handled.length >= 8 && app.manager.status('ledger').state === 'live');
      expect(recorder.ids()).toEqual(expect.arrayContaining(ledgerIds));
      expect(recorder.handled[0]!.event).toBeInstanceOf(AccountOpened);

      await append('acc-c', [new AccountOpened('acc-c', 'cy'), ...deposits('acc-c', 2)]);
      await append('acc-a', deposits('acc-a', 1, 0, 20));
      await waitUntil('the ledger handled the new commits', () => recorder.handled.length >= 12);

      expect(recorder.ids().sort()).toEqual([...ledgerIds].sort());
      expect(new Set(recorder.ids()).size).toBe(recorder.handled.length);
      for (const [streamId, versions] of versionsByStream(recorder.handled)) {
        expect({ streamId, versions }).toEqual({ streamId, versions: [...versions].sort((a, b) => a - b) });
      }
      const status = app.manager.status(LedgerProjection);
      expect(status).toMatchObject({ name: 'ledger', state: 'live', eventsHandled: 12 });
      expect(status.lastError).toBeUndefined();
      await waitUntil('the ledger saved its checkpoint', async () => (await stored(tables, 'ledger')).eventsHandled === 12);
      expect((await stored(tables, 'ledger')).checkpoint).toBe(recorder.handled.at(-1)!.checkpoint);
    });

    it('hands a projection only the event types it handles, while the others still move its checkpoint', async () => {
      await waitUntil('withdrawals caught up', () => withdrawals.seen.length >= 1);
      expect(withdrawals.seen.map(idOf)).toEqual(['acc-a@4']);
      expect(withdrawals.seen.every((e) => e.event instanceof MoneyWithdrawn)).toBe(true);
      expect(recorder.handled.some((e) => e.event instanceof MoneyWithdrawn)).toBe(false);

      await append('acc-d', [new AccountOpened('acc-d', 'dee'), ...deposits('acc-d', 2)]);
      await waitUntil('the ledger handled acc-d', () => recorder.ids().includes('acc-d@3'));
      const afterDeposits = recorder.handled.find((e) => idOf(e) === 'acc-d@3')!.checkpoint;
      // A commit that holds nothing for withdrawals still ends up behind its saved checkpoint.
      await waitUntil('withdrawals saved a checkpoint past acc-d', async () => (await stored(tables, 'withdrawals')).checkpoint === afterDeposits);
      expect(withdrawals.seen.map(idOf)).toEqual(['acc-a@4']);
      expect(app.manager.status(WithdrawalsProjection)).toMatchObject({ state: 'live', eventsHandled: 1 });
    });

    it('retries a failing handler from its last saved checkpoint, reporting failing meanwhile', async () => {
      const errors: string[] = [];
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
      let healed = false;
      recorder.failWhen = (event) => !healed && idOf(event) === 'acc-e@2';
      try {
        await append('acc-e', [new AccountOpened('acc-e', 'eve')]);
        await append('acc-e', deposits('acc-e', 1));
        await append('acc-e', deposits('acc-e', 1, 0, 5));
        await waitUntil('the handler failed twice', () => recorder.attempts.filter((id) => id === 'acc-e@2').length >= 2);
        const failing = app.manager.status(LedgerProjection);
        expect(failing.state).toBe('failing');
        expect(failing.lastError).toBeInstanceOf(ProjectionHandlerError);
        expect(failing.lastError).toMatchObject({ code: 'PROJECTION_HANDLER_FAILED', streamId: 'acc-e', version: 2, projection: 'ledger' });
        expect((failing.lastError as Error).cause).toEqual(new Error('injected failure at acc-e@2'));
        expect(errors.some((message) => message.includes('"ledger"') && message.includes('injected failure at acc-e@2'))).toBe(true);
        expect(recorder.ids()).not.toContain('acc-e@2');
        expect(recorder.ids()).not.toContain('acc-e@3');

        healed = true;
        await waitUntil('the ledger recovered', () => recorder.ids().includes('acc-e@3') && app.manager.status('ledger').state === 'live');
        // The event before the failing one was saved as handled: only the failing one was delivered again.
        expect(recorder.ids().filter((id) => id.startsWith('acc-e@'))).toEqual(['acc-e@1', 'acc-e@2', 'acc-e@3']);
        expect(recorder.attempts.filter((id) => id === 'acc-e@1')).toHaveLength(1);
      } finally {
        recorder.failWhen = () => false;
        logged.mockRestore();
      }
    });

    it('rebuilds: reset() first, then every event again, reporting progress up to fraction 1, then follows on', async () => {
      const progress: RebuildProgress[] = [];
      const total = ledgerIds.length;
      const final = await app.manager.rebuild(LedgerProjection, { onProgress: (p) => progress.push(p) });

      expect(recorder.resets).toBe(1);
      expect(recorder.ids().sort()).toEqual([...ledgerIds].sort());
      expect(final).toMatchObject({ eventsHandled: total, fraction: 1, estimatedRemainingMs: 0 });
      expect(final.eventsPerSecond).toBeGreaterThan(0);
      expect(progress.length).toBeGreaterThan(2); // pages of 3 events
      expect(progress.at(-1)).toMatchObject({ eventsHandled: total, fraction: 1 });
      for (let i = 1; i < progress.length; i++) {
        expect(progress[i]!.eventsHandled).toBeGreaterThanOrEqual(progress[i - 1]!.eventsHandled);
        expect(progress[i]!.fraction).toBeGreaterThanOrEqual(progress[i - 1]!.fraction);
        expect(progress[i]!.elapsedMs).toBeGreaterThanOrEqual(progress[i - 1]!.elapsedMs);
      }
      expect(progress.every((p) => p.fraction >= 0 && p.fraction <= 1)).toBe(true);
      expect((await stored(tables, 'ledger')).eventsHandled).toBe(total);

      await append('acc-f', [new AccountOpened('acc-f', 'fay')]);
      await waitUntil('the rebuilt ledger follows on', () => recorder.ids().includes('acc-f@1'));
      expect(app.manager.status(LedgerProjection)).toMatchObject({ state: 'live', eventsHandled: total + 1 });
    });

    it('refuses to rebuild a projection without reset(), changing nothing', async () => {
      // Stopped, so that nothing else writes its item meanwhile (no saves, no lease renewals).
      await app.manager.stop(WithdrawalsProjection);
      const before = await stored(tables, 'withdrawals');
      expect(before.item?.leaseOwner).toBeUndefined();
      const status = app.manager.status(WithdrawalsProjection);
      expect(status.state).toBe('stopped');
      await expect(app.manager.rebuild(WithdrawalsProjection)).rejects.toThrow(ProjectionNotResettableError);
      await expect(app.manager.rebuild('withdrawals')).rejects.toMatchObject({ code: 'PROJECTION_NOT_RESETTABLE', projection: 'withdrawals' });
      expect((await stored(tables, 'withdrawals')).item).toEqual(before.item);
      expect(app.manager.status(WithdrawalsProjection)).toEqual(status);
    });

    it('names an unknown projection, and bad rebuild options', async () => {
      class NotAProjection {}
      expect(() => app.manager.status('nope')).toThrow(UnknownProjectionError);
      expect(() => app.manager.status(NotAProjection)).toThrow(/Class NotAProjection is not a registered projection.*"ledger", "withdrawals"/);
      await expect(app.manager.rebuild('nope')).rejects.toMatchObject({ code: 'UNKNOWN_PROJECTION' });
      await expect(app.manager.start('nope')).rejects.toThrow(UnknownProjectionError);
      await expect(app.manager.rebuild(LedgerProjection, { onProgress: 'log' as never })).rejects.toThrow(InvalidArgumentError);
      expect(app.manager.statuses().map((s) => s.name)).toEqual(['ledger', 'withdrawals']);
    });
  });

  it('resumes after a restart from the saved checkpoint: a second app instance handles only the newer events', async () => {
    const tables = projectionTables('proj-restart');
    const first = await createProjectionApp(tables, { projections: [LedgerProjection], imports: [ProjectionRecorderModule] });
    let second: ProjectionApp | undefined;
    try {
      await first.store.append('r-1', [new AccountOpened('r-1', 'ray'), ...deposits('r-1', 4)], { expectedVersion: 'no-stream' });
      const firstRecorder = first.module.get(LedgerProjection).recorder;
      await waitUntil('the first instance handled 5 events', () => firstRecorder.handled.length === 5);
      await first.close();

      second = await createProjectionApp(tables, {
        projections: [LedgerProjection],
        imports: [ProjectionRecorderModule],
        options: { projections: { autoStart: false } },
      });
      await second.store.append('r-1', deposits('r-1', 3, 0, 100), { expectedVersion: 5 });
      await second.store.append('r-2', [new AccountOpened('r-2', 'rita')], { expectedVersion: 'no-stream' });
      await second.manager.start('ledger');
      const secondRecorder = second.module.get(LedgerProjection).recorder;
      await waitUntil('the second instance caught up', () => second!.manager.status('ledger').state === 'live' && secondRecorder.handled.length >= 4);
      expect(secondRecorder.ids()).toEqual(['r-1@6', 'r-1@7', 'r-1@8', 'r-2@1']);
      expect(second.manager.status('ledger').eventsHandled).toBe(9);

      // A stopped projection can be rebuilt too: it takes the lease for the rebuild, then gives it back.
      await second.manager.stop('ledger');
      expect((await stored(tables, 'ledger')).item?.leaseOwner).toBeUndefined();
      const rebuilt = await second.manager.rebuild(LedgerProjection);
      expect(rebuilt).toMatchObject({ eventsHandled: 9, fraction: 1 });
      expect(secondRecorder.ids()).toEqual(['r-1@1', 'r-1@2', 'r-1@3', 'r-1@4', 'r-1@5', 'r-1@6', 'r-1@7', 'r-1@8', 'r-2@1']);
      expect(second.manager.status('ledger')).toMatchObject({ state: 'stopped', eventsHandled: 9 });
      expect((await stored(tables, 'ledger')).item?.leaseOwner).toBeUndefined();
    } finally {
      await first.close();
      await second?.close();
      await deleteProjectionTables(tables);
    }
  });

  it('handles an in-process commit as soon as this process\'s indexer has indexed it, long before the next poll', async () => {
    const tables = projectionTables('proj-wake');
    // The commit wakes it (the index may not hold it yet), and so does the in-app indexer's batch: a minute before its poll.
    const app = await createProjectionApp(tables, { projections: [WakeUpProjection], imports: [ProjectionRecorderModule] });
    try {
      // Caught up once: the next poll is a minute away.
      await waitUntil('the projection is live', () => app.manager.status(WakeUpProjection).state === 'live');
      await app.store.append('w-1', deposits('w-1', 2), { expectedVersion: 'no-stream' });
      await waitUntil('the commit was handled', () => app.module.get(WakeUpProjection).recorder.handled.length === 2, 10_000);
      expect(app.module.get(WakeUpProjection).recorder.ids()).toEqual(['w-1@1', 'w-1@2']);
    } finally {
      await app.close();
      await deleteProjectionTables(tables);
    }
  });

  it('start() called right after stop(), without waiting for it, leaves the projection following and woken by in-process commits', async () => {
    const tables = projectionTables('proj-restop');
    const app = await createProjectionApp(tables, { projections: [WakeUpProjection], imports: [ProjectionRecorderModule] });
    try {
      const recorder = app.module.get(WakeUpProjection).recorder;
      await waitUntil('the projection is live', () => app.manager.status(WakeUpProjection).state === 'live');
      const stopping = app.manager.stop(WakeUpProjection);
      const starting = app.manager.start(WakeUpProjection);
      await Promise.all([stopping, starting]);
      await waitUntil('the projection is live again', () => app.manager.status(WakeUpProjection).state === 'live');
      // Its next poll is a minute away: only the notifier's hints can make it read this soon.
      await app.store.append('w-2', deposits('w-2', 1), { expectedVersion: 'no-stream' });
      await waitUntil('the commit was handled', () => recorder.ids().includes('w-2@1'), 10_000);
      expect(app.manager.status(WakeUpProjection).state).toBe('live');

      // The other way round, the stop comes last and wins: stopped, lease released.
      const started = app.manager.start(WakeUpProjection);
      const stopped = app.manager.stop(WakeUpProjection);
      await Promise.all([started, stopped]);
      expect(app.manager.status(WakeUpProjection).state).toBe('stopped');
      expect((await stored(tables, 'wake-up')).item?.leaseOwner).toBeUndefined();
    } finally {
      await app.close();
      await deleteProjectionTables(tables);
    }
  });

  it('parks an event whose handler failed maxAttempts times: logged with its checkpoint, stored, counted, and the projection moves on', async () => {
    const errors: string[] = [];
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    const tables = projectionTables('proj-poison');
    const app = await createProjectionApp(tables, { projections: [PoisonTolerantProjection], imports: [ProjectionRecorderModule] });
    try {
      const recorder = app.module.get(PoisonTolerantProjection).recorder;
      recorder.failWhen = (event) => idOf(event) === 'p-1@2';
      await app.store.append('p-1', [new AccountOpened('p-1', 'pia'), ...deposits('p-1', 2)], { expectedVersion: 'no-stream' });
      await waitUntil('the projection got past the poison event', () => recorder.ids().includes('p-1@3') && app.manager.status(PoisonTolerantProjection).state === 'live');

      expect(recorder.attempts.filter((id) => id === 'p-1@2')).toHaveLength(3);
      expect(recorder.ids()).toEqual(['p-1@1', 'p-1@3']);
      const status = app.manager.status(PoisonTolerantProjection);
      expect(status).toMatchObject({ state: 'live', eventsHandled: 2, eventsSkipped: 1 });
      expect(status.lastError).toBeInstanceOf(ProjectionHandlerError);
      expect(status.lastError).toMatchObject({ code: 'PROJECTION_HANDLER_FAILED', streamId: 'p-1', version: 2 });
      const poison = recorder.failed[0]!;
      const skipped = errors.filter((message) => message.includes('"poison" gave up on MoneyDeposited'));
      expect(skipped).toHaveLength(1);
      expect(skipped[0]).toContain(`checkpoint ${poison.checkpoint}`);
      expect(skipped[0]).toContain(`event ${poison.eventId}`);
      expect(skipped[0]).toContain('after 3 failed attempt(s)');
      await waitUntil('the checkpoint past it was saved', async () => (await stored(tables, 'poison')).checkpoint === recorder.handled.at(-1)!.checkpoint);
      expect((await stored(tables, 'poison')).item).toMatchObject({ eventsHandled: { N: '2' }, eventsSkipped: { N: '1' }, parkedCount: { N: '1' } });

      // An event whose handler succeeds at the last allowed attempt is handled, not skipped.
      let failures = 0;
      recorder.failWhen = (event) => idOf(event) === 'p-1@4' && failures++ < 2;
      await app.store.append('p-1', deposits('p-1', 1, 0, 40), { expectedVersion: 3 });
      await waitUntil('p-1@4 was handled', () => recorder.ids().includes('p-1@4') && app.manager.status(PoisonTolerantProjection).state === 'live');
      expect(recorder.attempts.filter((id) => id === 'p-1@4')).toHaveLength(3);
      expect(app.manager.status(PoisonTolerantProjection)).toMatchObject({ eventsHandled: 3, eventsSkipped: 1 });
    } finally {
      logged.mockRestore();
      await app.close();
      await deleteProjectionTables(tables);
    }
  });

  it('stops on a stored checkpoint of 0.3 (state blocked, the fix logged once, nothing overwritten), and goes on once it was converted', async () => {
    const errors: string[] = [];
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void errors.push(String(message)));
    const loads = jest.spyOn(ProjectionStore.prototype, 'load');
    const tables = projectionTables('proj-blocked');
    const app = await createProjectionApp(tables, { projections: [BlockedProjection], imports: [ProjectionRecorderModule], options: { projections: { autoStart: false } } });
    try {
      const outdated = '1760000000000:2:acc-z';
      await setStoredCheckpoint(tables, 'blocked', outdated);
      await app.store.append('z-1', [new AccountOpened('z-1', 'zoe'), ...deposits('z-1', 1)], { expectedVersion: 'no-stream' });
      await app.manager.start(BlockedProjection);
      await waitUntil('the projection is blocked', () => app.manager.status(BlockedProjection).state === 'blocked');
      const status = app.manager.status(BlockedProjection);
      expect(status.lastError).toBeInstanceOf(FeedCheckpointMismatchError);
      expect(status.lastError).toMatchObject({ code: 'FEED_CHECKPOINT_MISMATCH', reason: 'outdated', checkpoint: outdated });
      // It checks the stored checkpoint now and then (a read, no lease taken), without reading the feed or logging again.
      await waitUntil('the projection checked its stored checkpoint twice', () => loads.mock.calls.filter(([name]) => name === 'blocked').length >= 2);
      expect(app.manager.status(BlockedProjection).state).toBe('blocked');
      const blockedErrors = errors.filter((message) => message.includes('"blocked"'));
      expect(blockedErrors).toHaveLength(1);
      expect(blockedErrors[0]).toContain('nestjs-dynamo-es feed migrate');
      const item = (await stored(tables, 'blocked')).item;
      expect(item?.checkpoint?.S).toBe(outdated);
      expect(item?.leaseOwner).toBeUndefined(); // given up: the migration (or a rebuild from the CLI) can take it
      expect(app.module.get(BlockedProjection).recorder.handled).toEqual([]);

      // Converted (as `feed migrate` does): the projection takes its lease again and reads from there.
      await setStoredCheckpoint(tables, 'blocked', FEED_START);
      await waitUntil('the projection runs again', () => app.module.get(BlockedProjection).recorder.handled.length === 2 && app.manager.status(BlockedProjection).state === 'live');
      expect(app.module.get(BlockedProjection).recorder.ids()).toEqual(['z-1@1', 'z-1@2']);
    } finally {
      logged.mockRestore();
      loads.mockRestore();
      await app.close();
      await deleteProjectionTables(tables);
    }
  });

  it('sets the projections table up only in apps that have projections', async () => {
    const tables = projectionTables('proj-table');
    const describeTable = async () => {
      const client = new DynamoDBClient(testClientConfig());
      try {
        return (await client.send(new DescribeTableCommand({ TableName: tables.projections }))).Table;
      } finally {
        client.destroy();
      }
    };
    try {
      const without = await createProjectionApp(tables);
      await without.close();
      await expect(describeTable()).rejects.toThrow(ResourceNotFoundException);
      await expect(createProjectionApp(tables, { projections: [WithdrawalsProjection], options: { tableSetup: 'verify' } })).rejects.toThrow(TableMismatchError);

      const withProjections = await createProjectionApp(tables, { projections: [WithdrawalsProjection] });
      await withProjections.close();
      expect((await describeTable())?.KeySchema).toEqual(projectionsTableDefinition(tables.projections).KeySchema);
    } finally {
      await deleteProjectionTables(tables);
    }
  });

  describe('bad declarations fail at start-up, naming the class', () => {
    @Projection('no-handlers')
    class NoHandlers {}

    @Projection('twice')
    class HandledTwice {
      @ProjectionHandler(MoneyDeposited)
      one(): void {}

      @ProjectionHandler(MoneyDeposited, AccountOpened)
      two(): void {}
    }

    class Undecorated {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    @Projection('big-pages', { pageSize: 5000 })
    class BigPages {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    @Projection('typo', { pollInterval: 10 } as never)
    class Typo {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    @Projection('no-attempts', { maxAttempts: 0 })
    class NoAttempts {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    @Projection('bad name!')
    class BadName {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    it.each([
      [NoHandlers, /projections\[0\] \(NoHandlers\)` has no @ProjectionHandler/],
      [HandledTwice, /\(HandledTwice\)\.two` handles MoneyDeposited twice: both one\(\) and two\(\) handle it/],
      [Undecorated, /\(Undecorated\)` must be decorated with @Projection/],
      [BigPages, /\(BigPages\) @Projection options\.pageSize` must be a whole number from 1 to 1000; got 5000/],
      [Typo, /\(Typo\) @Projection options\.pollInterval` is not a projection option/],
      [BadName, /\(BadName\) @Projection name` must be a stable name/],
      [NoAttempts, /\(NoAttempts\) @Projection options\.maxAttempts` must be a whole number of at least 1.*got 0/],
    ])('rejects %p', (type, message) => {
      expect(() => DynamoEventSourcingModule.forFeature({ projections: [type as never] })).toThrow(InvalidModuleOptionsError);
      expect(() => DynamoEventSourcingModule.forFeature({ projections: [type as never] })).toThrow(message);
    });

    class Unregistered {}

    @Projection('unregistered')
    class HandlesUnregistered {
      @ProjectionHandler(Unregistered)
      on(): void {}
    }

    @Projection('same-name')
    class SameNameOne {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    @Projection('same-name')
    class SameNameTwo {
      @ProjectionHandler(MoneyDeposited)
      on(): void {}
    }

    const tables = projectionTables('proj-bad');
    afterAll(() => deleteProjectionTables(tables));

    it('rejects a handler of an event class that is not registered', async () => {
      await expect(createProjectionApp(tables, { projections: [HandlesUnregistered] })).rejects.toThrow(
        /\(HandlesUnregistered\)\.on` handles class Unregistered, which has no stable type name: decorate it with @EventType/,
      );
    });

    it('rejects two projections of one name in different features', async () => {
      const module = Test.createTestingModule({
        imports: [
          CqrsModule.forRoot(),
          DynamoEventSourcingModule.forRoot({ clientConfig: testClientConfig(), tableSetup: 'create', events: TEST_EVENTS, tables }),
          DynamoEventSourcingModule.forFeature({ projections: [SameNameOne] }),
          DynamoEventSourcingModule.forFeature({ projections: [SameNameTwo] }),
        ],
      }).compile();
      await expect(module).rejects.toThrow(/is named "same-name", which is already the name of class SameNameOne/);
    });

    it('rejects projections when the feed is off', async () => {
      const noFeed = { events: uniqueTableName('proj-nofeed'), projections: uniqueTableName('proj-nofeed-pr') };
      try {
        await expect(createProjectionApp(noFeed, { projections: [SameNameOne], options: { feed: false } })).rejects.toThrow(FeedDisabledError);
      } finally {
        await deleteTables(noFeed.events, noFeed.projections);
      }
    });
  });
});
