import { afterEach, describe, expect, it } from '@jest/globals';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { Projection, ProjectionHandler, type FeedEvent } from '../lib/index.js';
import { CommittedEventsPublisher } from '../lib/publishing/committed-events.publisher.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, waitUntil, type ProjectionApp, type ProjectionTables } from './support/projection-app.js';
import { idOf, ProjectionRecorder, ProjectionRecorderModule } from './support/projection-recorder.js';
import { ReceivedEvents } from './support/received-events.js';

@Projection('accounts', { pollIntervalMs: 100 })
class AccountsProjection {
  constructor(readonly recorder: ProjectionRecorder) {}

  @ProjectionHandler(AccountOpened, MoneyDeposited)
  on(_event: object, envelope: FeedEvent): Promise<void> {
    return this.recorder.record(envelope);
  }
}

const published = new ReceivedEvents<object>();

@EventsHandler(AccountOpened, MoneyDeposited)
class PublishedEvents implements IEventHandler {
  handle(event: object): void {
    published.add(event);
  }
}

/** The process dies right after the commit: nothing of it is ever published in-process. */
class DyingPublisher {
  readonly enabled = true;
  publish(): void {
    throw new Error('process died between commit and publish');
  }
}

describe('Crash between commit and publish: committed events still reach projections through the feed', () => {
  const opened: Array<{ apps: ProjectionApp[]; tables: ProjectionTables }> = [];
  afterEach(async () => {
    for (const { apps, tables } of opened.splice(0)) {
      for (const app of apps) await app.close();
      await deleteProjectionTables(tables);
    }
  });

  it('a process that died after committing: a later app instance projects every committed event', async () => {
    const tables = projectionTables('crash');
    const apps: ProjectionApp[] = [];
    opened.push({ apps, tables });

    published.events.length = 0;
    const dying = await createProjectionApp(tables, {
      providers: [PublishedEvents],
      override: (builder) => builder.overrideProvider(CommittedEventsPublisher).useValue(new DyingPublisher()),
    });
    apps.push(dying);
    // The commit is durable, but the process "dies" before publishing: the caller never hears back.
    await expect(dying.store.append('c-1', [new AccountOpened('c-1', 'cat'), ...deposits('c-1', 2)], { expectedVersion: 'no-stream' })).rejects.toThrow(
      'process died between commit and publish',
    );
    await expect(dying.store.append('c-2', deposits('c-2', 1), { expectedVersion: 'no-stream' })).rejects.toThrow('process died');
    await dying.store.append('c-2', deposits('c-2', 1, 0, 9), { expectedVersion: 1, publish: false });
    expect(published.events).toEqual([]);
    await dying.close();

    const next = await createProjectionApp(tables, { projections: [AccountsProjection], imports: [ProjectionRecorderModule] });
    apps.push(next);
    const recorder = next.module.get(AccountsProjection).recorder;
    await waitUntil('every committed event was projected', () => recorder.handled.length >= 5);
    expect(recorder.ids().sort()).toEqual(['c-1@1', 'c-1@2', 'c-1@3', 'c-2@1', 'c-2@2']);
  });

  it('an append with publish: false reaches no EventBus handler, but is projected', async () => {
    const tables = projectionTables('crash-nopub');
    const app = await createProjectionApp(tables, { projections: [AccountsProjection], imports: [ProjectionRecorderModule], providers: [PublishedEvents] });
    opened.push({ apps: [app], tables });
    const recorder = app.module.get(AccountsProjection).recorder;
    published.events.length = 0;

    await app.store.append('q-1', [new AccountOpened('q-1', 'quinn'), ...deposits('q-1', 1)], { expectedVersion: 'no-stream', publish: false });
    await waitUntil('the unpublished commit was projected', () => recorder.handled.length === 2);
    expect(recorder.ids()).toEqual(['q-1@1', 'q-1@2']);

    // Publishing is in order: once this marker has arrived, anything published before it has too.
    const marker = new MoneyDeposited('q-1', 77);
    await app.store.append('q-1', [marker], { expectedVersion: 2 });
    await published.waitFor(1);
    expect(published.events).toEqual([marker]);
    await waitUntil('the marker was projected', () => recorder.ids().includes('q-1@3'));
    expect(recorder.handled.map(idOf)).toEqual(['q-1@1', 'q-1@2', 'q-1@3']);
  });
});
