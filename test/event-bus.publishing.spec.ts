import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { CommandHandler, EventsHandler, ofType, Saga, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { map, type Observable } from 'rxjs';
import { ConcurrencyError, NO_STREAM, type EventStore } from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited, MoneyWithdrawn } from './support/events.js';
import { ReceivedEvents } from './support/received-events.js';

const received = new ReceivedEvents<object>();
const commands = new ReceivedEvents<SendWelcome>();

@EventsHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
class RecordingHandler implements IEventHandler {
  handle(event: object): void {
    received.add(event);
  }
}

/** Throws for withdrawals, synchronously and asynchronously: the append must not notice. */
@EventsHandler(MoneyWithdrawn)
class FailingHandler implements IEventHandler<MoneyWithdrawn> {
  handle(event: MoneyWithdrawn): Promise<void> {
    if (event.amount > 100) throw new Error('handler failed synchronously');
    return Promise.reject(new Error('handler failed asynchronously'));
  }
}

class SendWelcome {
  constructor(readonly accountId: string) {}
}

@Injectable()
class WelcomeSaga {
  @Saga()
  accountOpened = (events$: Observable<object>): Observable<SendWelcome> =>
    events$.pipe(
      ofType(AccountOpened),
      map((event) => new SendWelcome(event.accountId)),
    );
}

@CommandHandler(SendWelcome)
class SendWelcomeHandler implements ICommandHandler<SendWelcome> {
  async execute(command: SendWelcome): Promise<void> {
    commands.add(command);
  }
}

describe('republishing on the EventBus', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let streams = 0;
  const newStream = () => `bus-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await createEventStoreApp('bus', {}, [RecordingHandler, FailingHandler, WelcomeSaga, SendWelcomeHandler]);
    store = app.store;
  });
  beforeEach(() => {
    received.events.length = 0;
  });
  afterAll(() => app.close());

  it('handlers receive the committed class instances, in version order', async () => {
    const stream = newStream();
    const events = [new AccountOpened(stream, 'ann'), ...deposits(stream, 5)];
    await store.append(stream, events, { expectedVersion: NO_STREAM });
    await received.waitFor(6);
    expect(received.events).toEqual(events);
    expect(received.events[0]).toBe(events[0]);
    expect(received.events[1]).toBeInstanceOf(MoneyDeposited);
  });

  it('sagas react to republished events', async () => {
    const stream = newStream();
    const before = commands.events.length;
    await store.append(stream, [new AccountOpened(stream, 'bob')], { expectedVersion: NO_STREAM });
    await commands.waitFor(before + 1);
    expect(commands.events.at(-1)).toEqual(new SendWelcome(stream));
  });

  it('a failed append publishes nothing', async () => {
    const stream = newStream();
    await store.append(stream, [new AccountOpened(stream, 'cy')], { expectedVersion: NO_STREAM });
    await received.waitFor(1);
    await expect(store.append(stream, deposits(stream, 3, 0, 500), { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.append(stream, [{ not: 'registered' }], { expectedVersion: 1 })).rejects.toThrow();
    // Publishing is in order, so once this marker arrives anything published before it has arrived too.
    const marker = new MoneyDeposited(stream, 999_999);
    await store.append(stream, [marker], { expectedVersion: 1 });
    await received.waitFor(2);
    expect(received.events).toEqual([new AccountOpened(stream, 'cy'), marker]);
  });

  it('a throwing handler neither fails nor undoes the append, and other handlers still run', async () => {
    const stream = newStream();
    const result = await store.append(stream, [new MoneyWithdrawn(stream, 500), new MoneyWithdrawn(stream, 5)], { expectedVersion: NO_STREAM });
    expect(result.version).toBe(2);
    await received.waitFor(2);
    expect(received.events).toEqual([new MoneyWithdrawn(stream, 500), new MoneyWithdrawn(stream, 5)]);
    expect(await collect(store.read(stream))).toHaveLength(2);
  });

  it('publishes nothing when the append asks not to', async () => {
    const stream = newStream();
    await store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, publish: false });
    const marker = new MoneyDeposited(stream, 1);
    await store.append(stream, [marker], { expectedVersion: 2 });
    await received.waitFor(1);
    expect(received.events).toEqual([marker]);
  });

  it('publishes nothing for a retried commit that was already stored', async () => {
    const stream = newStream();
    const events = deposits(stream, 2);
    await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'once' });
    await received.waitFor(2);
    await store.append(stream, events, { expectedVersion: NO_STREAM, commitId: 'once' });
    const marker = new MoneyDeposited(stream, 7);
    await store.append(stream, [marker], { expectedVersion: 2 });
    await received.waitFor(3);
    expect(received.events).toEqual([...events, marker]);
  });
});
