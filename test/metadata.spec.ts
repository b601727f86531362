import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { CommandBus, CommandHandler, EventsHandler, ofType, Saga, type ICommandHandler, type IEventHandler } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { map, type Observable } from 'rxjs';
import { EventStore, InvalidArgumentError, NO_STREAM, type EventEnvelope } from '../lib/index.js';
import { envelopeOf } from '../lib/metadata/envelope-of.js';
import { EventMetadataContext } from '../lib/metadata/event-metadata-context.js';
import type { CorrelatedCommand } from '../lib/metadata/interfaces/correlated-command.interface.js';
import { WithCommandMetadata } from '../lib/metadata/with-command-metadata.decorator.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { ReceivedEvents } from './support/received-events.js';

const handled = new ReceivedEvents<EventEnvelope | undefined>();
const welcomes = new ReceivedEvents<SendWelcome>();

/** Reaches each event's envelope from an ordinary handler: the event classes carry none. */
@EventsHandler(AccountOpened, MoneyDeposited)
class EnvelopeRecorder implements IEventHandler {
  handle(event: object): void {
    handled.add(envelopeOf(event));
  }
}

/** A command with its own id, starting (or joining) a conversation. */
class OpenAccount implements CorrelatedCommand {
  readonly commandId = `cmd-${randomUUID()}`;
  constructor(
    readonly accountId: string,
    readonly correlationId?: string,
  ) {}
}

/** A command a saga sends: it carries the ids of the event it reacts to, and has no id of its own. */
class SendWelcome implements CorrelatedCommand {
  readonly correlationId?: string;
  readonly causationId?: string;
  constructor(
    readonly accountId: string,
    ids: { correlationId?: string; causationId?: string },
  ) {
    this.correlationId = ids.correlationId;
    this.causationId = ids.causationId;
  }
}

@CommandHandler(OpenAccount)
class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  constructor(private readonly store: EventStore) {}

  @WithCommandMetadata()
  async execute(command: OpenAccount): Promise<void> {
    await this.store.append(`meta-${command.accountId}`, [new AccountOpened(command.accountId, 'ann')], { expectedVersion: NO_STREAM });
  }
}

@Injectable()
class WelcomeSaga {
  @Saga()
  welcome = (events$: Observable<object>): Observable<SendWelcome> =>
    events$.pipe(
      ofType(AccountOpened),
      map((event) => new SendWelcome(event.accountId, EventMetadataContext.causedBy(event))),
    );
}

@CommandHandler(SendWelcome)
class SendWelcomeHandler implements ICommandHandler<SendWelcome> {
  constructor(private readonly store: EventStore) {}

  @WithCommandMetadata()
  async execute(command: SendWelcome): Promise<void> {
    await this.store.append(`meta-${command.accountId}`, [new MoneyDeposited(command.accountId, 10, 'welcome bonus')], { expectedVersion: 1 });
    welcomes.add(command);
  }
}

describe('event metadata', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let client: DynamoDBClient;
  let streams = 0;
  const newStream = () => `meta-plain-${++streams}-${Date.now()}`;
  const storedMetadata = async (streamId: string) => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: app.tableName, Key: { streamId: { S: streamId }, version: { N: '1' } }, ConsistentRead: true }),
    );
    return Item!.metadata?.S;
  };

  beforeAll(async () => {
    client = new DynamoDBClient(testClientConfig());
    app = await createEventStoreApp('metadata', {}, [EnvelopeRecorder, OpenAccountHandler, WelcomeSaga, SendWelcomeHandler]);
    store = app.store;
  });
  beforeEach(() => {
    handled.events.length = 0;
  });
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  it('stores the context\'s correlation and causation ids and free map with the commit, under the append\'s own metadata', async () => {
    const stream = newStream();
    const result = await EventMetadataContext.run({ correlationId: 'conv-1', causationId: 'cmd-1', metadata: { tenant: 't-1', userId: 'from-context' } }, () =>
      store.append(stream, deposits(stream, 2), { expectedVersion: NO_STREAM, metadata: { userId: 'u-1' }, publish: false }),
    );
    const expected = { correlationId: 'conv-1', causationId: 'cmd-1', metadata: { tenant: 't-1', userId: 'u-1' } };
    for (const envelopes of [result.envelopes, await collect(store.read(stream))]) {
      expect(envelopes).toHaveLength(2);
      for (const envelope of envelopes) expect(envelope).toMatchObject(expected);
      expect(envelopes[0]!.metadata).toEqual(expected.metadata); // the ids are not in the free map
    }
    expect(await storedMetadata(stream)).toBe('{"tenant":"t-1","userId":"u-1","$corr":"conv-1","$cause":"cmd-1"}');
  });

  it('lets the append\'s own ids win over the context\'s', async () => {
    const stream = newStream();
    await EventMetadataContext.run({ correlationId: 'conv-ctx', causationId: 'cause-ctx' }, () =>
      store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, causationId: 'cause-own', publish: false }),
    );
    const [read] = await collect(store.read(stream));
    expect(read).toMatchObject({ correlationId: 'conv-ctx', causationId: 'cause-own', metadata: {} });
  });

  it('stores no metadata at all outside any context', async () => {
    const stream = newStream();
    await store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, publish: false });
    const [read] = await collect(store.read(stream));
    expect(read!.correlationId).toBeUndefined();
    expect(read!.causationId).toBeUndefined();
    expect(read!.metadata).toEqual({});
    expect(await storedMetadata(stream)).toBeUndefined();
  });

  it('refuses bad ids and the reserved keys in the free map, writing nothing', async () => {
    const stream = newStream();
    await expect(store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, metadata: { $corr: 'x' } })).rejects.toThrow(
      /The append's metadata uses the key "\$corr", which is reserved/,
    );
    await expect(store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, correlationId: '' })).rejects.toThrow(InvalidArgumentError);
    await expect(store.append(stream, deposits(stream, 1), { expectedVersion: NO_STREAM, causationId: 'x'.repeat(257) })).rejects.toMatchObject({
      code: 'INVALID_METADATA',
    });
    expect(await collect(store.read(stream))).toEqual([]);
  });

  it('carries the ids from a command to its events, and from an event through a saga to the next command\'s events', async () => {
    const accountId = `acc-${Date.now()}`;
    const open = new OpenAccount(accountId, 'conv-42');
    const before = welcomes.events.length;
    await app.module.get(CommandBus).execute(open);
    await welcomes.waitFor(before + 1);

    const [opened, bonus] = await collect(store.read(`meta-${accountId}`));
    expect(opened).toMatchObject({ correlationId: 'conv-42', causationId: open.commandId });
    const welcome = welcomes.events.at(-1)!;
    expect(welcome).toMatchObject({ accountId, correlationId: 'conv-42', causationId: opened!.eventId });
    expect(bonus).toMatchObject({ correlationId: 'conv-42', causationId: opened!.eventId });
  });

  it('starts a conversation with the command\'s id when it joins none', async () => {
    const accountId = `acc-new-${Date.now()}`;
    const open = new OpenAccount(accountId);
    const before = welcomes.events.length;
    await app.module.get(CommandBus).execute(open);
    await welcomes.waitFor(before + 1);
    const [opened, bonus] = await collect(store.read(`meta-${accountId}`));
    expect(opened).toMatchObject({ correlationId: open.commandId, causationId: open.commandId });
    expect(bonus).toMatchObject({ correlationId: open.commandId, causationId: opened!.eventId });
  });

  describe('envelopeOf', () => {
    it('gives @EventsHandlers the envelope of each committed event', async () => {
      const stream = newStream();
      const events = deposits(stream, 3); // deposits: the welcome saga reacts to AccountOpened only
      const result = await EventMetadataContext.run({ correlationId: 'conv-7', metadata: { source: 'test' } }, () =>
        store.append(stream, events, { expectedVersion: NO_STREAM, commitId: `commit-${stream}` }),
      );
      await handled.waitFor(3);
      expect(handled.events).toHaveLength(3);
      handled.events.forEach((envelope, i) => {
        expect(envelope).toBe(result.envelopes[i]); // the very envelopes of the append result
        expect(envelope).toMatchObject({ streamId: stream, version: i + 1, commitId: `commit-${stream}`, correlationId: 'conv-7', metadata: { source: 'test' } });
        expect(envelope!.event).toBe(events[i]);
      });
    });

    it('gives the envelope of each event read back, and nothing for an event the store never saw', async () => {
      const stream = newStream();
      await store.append(stream, deposits(stream, 3), { expectedVersion: NO_STREAM, publish: false });
      const read = await collect(store.read(stream));
      for (const envelope of read) expect(envelopeOf(envelope.event)).toBe(envelope);
      expect(envelopeOf(new MoneyDeposited(stream, 1))).toBeUndefined();
    });
  });
});
