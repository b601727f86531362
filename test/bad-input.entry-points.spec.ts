import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CqrsModule } from '@nestjs/cqrs';
import { Test } from '@nestjs/testing';
import { createEventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import {
  DynamoEventSourcingModule,
  EventStoreErrorCode,
  FEED_START,
  InvalidArgumentError,
  InvalidModuleOptionsError,
  NO_STREAM,
  Projection,
  ProjectionHandler,
  type DynamoEventSourcingModuleOptions,
  type EventStore,
  type FeedEvent,
  type ResettableProjection,
} from '../lib/index.js';
import { InMemoryEventStore } from '../lib/testing/index.js';
import { testClientConfig, uniqueTableName } from './support/dynamodb.js';
import { createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn, TEST_EVENTS } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, storedProjection, type ProjectionApp } from './support/projection-app.js';
import { revoked } from './support/hostile-values.js';

/** What these tests need of a store: the DynamoDB one and the in-memory one both fit. */
type Store = Pick<EventStore, 'read' | 'replay$' | 'replayAll$'>;
class NotRegistered {}

/** The error a call throws at once (read, replay$ and replayAll$ check their options when called, before any request). */
const thrownBy = (call: () => unknown): unknown => {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
};

const { INVALID_READ_OPTIONS, INVALID_STREAM_ID, INVALID_CHECKPOINT, INVALID_REBUILD_OPTIONS } = EventStoreErrorCode;

/** [what is passed, the call, the code of its InvalidArgumentError, what the message says]: each throws before any request. */
const reads: Array<[string, (store: Store, stream: string) => unknown, string, RegExp]> = [
  // read()
  ['read: a symbol as the stream id', (s) => s.read(Symbol('s') as never), INVALID_STREAM_ID, /got symbol/],
  ['read: a stream id with a lone surrogate', (s, id) => s.read(`${id}\uD800`), INVALID_STREAM_ID, /lone surrogate/],
  ['read: null as the options', (s, id) => s.read(id, null as never), INVALID_READ_OPTIONS, /read options must be an object .* got null/],
  ['read: options as an array', (s, id) => s.read(id, [] as never), INVALID_READ_OPTIONS, /got an array/],
  ['read: options as a revoked Proxy', (s, id) => s.read(id, revoked({})), INVALID_READ_OPTIONS, /got a revoked Proxy/],
  ['read: a misspelt option (from)', (s, id) => s.read(id, { from: 3 } as never), INVALID_READ_OPTIONS, /no option "from" \(known: fromVersion, toVersion, direction, pageSize\)/],
  ['read: fromVersion 0', (s, id) => s.read(id, { fromVersion: 0 }), INVALID_READ_OPTIONS, /fromVersion .* got 0/],
  ['read: fromVersion as a string', (s, id) => s.read(id, { fromVersion: '2' as never }), INVALID_READ_OPTIONS, /fromVersion .* got "2"/],
  ['read: fromVersion null', (s, id) => s.read(id, { fromVersion: null as never }), INVALID_READ_OPTIONS, /fromVersion .* got null/],
  ['read: toVersion below fromVersion', (s, id) => s.read(id, { fromVersion: 5, toVersion: 4 }), INVALID_READ_OPTIONS, /toVersion .* got 4/],
  ['read: toVersion Infinity', (s, id) => s.read(id, { toVersion: Infinity }), INVALID_READ_OPTIONS, /toVersion .* got Infinity/],
  ['read: an unknown direction', (s, id) => s.read(id, { direction: 'Forward' as never }), INVALID_READ_OPTIONS, /direction .* got "Forward"/],
  ['read: pageSize 0', (s, id) => s.read(id, { pageSize: 0 }), INVALID_READ_OPTIONS, /pageSize .* got 0/],
  ['read: a negative pageSize', (s, id) => s.read(id, { pageSize: -1 }), INVALID_READ_OPTIONS, /pageSize .* got -1/],
  ['read: a fractional pageSize', (s, id) => s.read(id, { pageSize: 1.5 }), INVALID_READ_OPTIONS, /pageSize .* got 1.5/],
  ['read: pageSize NaN', (s, id) => s.read(id, { pageSize: Number.NaN }), INVALID_READ_OPTIONS, /pageSize .* got NaN/],
  ['read: pageSize Infinity', (s, id) => s.read(id, { pageSize: Infinity }), INVALID_READ_OPTIONS, /pageSize .* got Infinity/],
  ['read: pageSize 2^31, past DynamoDB\'s Limit', (s, id) => s.read(id, { pageSize: 2 ** 31 }), INVALID_READ_OPTIONS, /pageSize must be a whole number from 1 to 2147483647 .* got 2147483648/],
  // replay$()
  ['replay$: no options', (s, id) => s.replay$(id, undefined as never), INVALID_READ_OPTIONS, /replay options must be an object .* got undefined/],
  ['replay$: options as an array', (s, id) => s.replay$(id, [100] as never), INVALID_READ_OPTIONS, /got an array/],
  ['replay$: a misspelt option (page)', (s, id) => s.replay$(id, { pageSize: 10, page: 2 } as never), INVALID_READ_OPTIONS, /no option "page" \(known: fromVersion, toVersion, pageSize, eventTypes\)/],
  ['replay$: pageSize 0', (s, id) => s.replay$(id, { pageSize: 0 }), INVALID_READ_OPTIONS, /from 1 to 1000; got 0/],
  ['replay$: pageSize 1001', (s, id) => s.replay$(id, { pageSize: 1001 }), INVALID_READ_OPTIONS, /got 1001/],
  ['replay$: pageSize as a string', (s, id) => s.replay$(id, { pageSize: '100' as never }), INVALID_READ_OPTIONS, /got "100"/],
  ['replay$: pageSize NaN', (s, id) => s.replay$(id, { pageSize: Number.NaN }), INVALID_READ_OPTIONS, /got NaN/],
  ['replay$: a negative fromVersion', (s, id) => s.replay$(id, { pageSize: 10, fromVersion: -1 }), INVALID_READ_OPTIONS, /fromVersion .* got -1/],
  ['replay$: toVersion below fromVersion', (s, id) => s.replay$(id, { pageSize: 10, fromVersion: 3, toVersion: 2 }), INVALID_READ_OPTIONS, /toVersion .* got 2/],
  ['replay$: a stream id with a lone surrogate', (s, id) => s.replay$(`${id}\uDC00`, { pageSize: 10 }), INVALID_STREAM_ID, /lone surrogate/],
  // replayAll$()
  ['replayAll$: no options', (s) => s.replayAll$(undefined as never), INVALID_READ_OPTIONS, /feed read options must be an object .* got undefined/],
  ['replayAll$: options as an array', (s) => s.replayAll$([] as never), INVALID_READ_OPTIONS, /got an array/],
  ['replayAll$: a misspelt option (fromCheckpoint)', (s) => s.replayAll$({ pageSize: 10, fromCheckpoint: FEED_START } as never), INVALID_READ_OPTIONS, /no option "fromCheckpoint"/],
  ['replayAll$: pageSize 0', (s) => s.replayAll$({ pageSize: 0 }), INVALID_READ_OPTIONS, /pageSize .* got 0/],
  ['replayAll$: pageSize 1001', (s) => s.replayAll$({ pageSize: 1001 }), INVALID_READ_OPTIONS, /pageSize .* got 1001/],
  ['replayAll$: pageSize NaN', (s) => s.replayAll$({ pageSize: Number.NaN }), INVALID_READ_OPTIONS, /pageSize .* got NaN/],
  ['replayAll$: a number as the checkpoint', (s) => s.replayAll$({ pageSize: 10, from: 42 as never }), INVALID_CHECKPOINT, /got 42/],
  ['replayAll$: a checkpoint the feed never gave', (s) => s.replayAll$({ pageSize: 10, from: 'yesterday' }), INVALID_CHECKPOINT, /got "yesterday"/],
  ['replayAll$: a checkpoint at version 0', (s) => s.replayAll$({ pageSize: 10, from: '1700000000000:0:acc-1' }), INVALID_CHECKPOINT, /from must be a checkpoint/],
  ['replayAll$: eventTypes empty', (s) => s.replayAll$({ pageSize: 10, eventTypes: [] }), INVALID_READ_OPTIONS, /non-empty array .* got an array/],
  ['replayAll$: eventTypes as a string', (s) => s.replayAll$({ pageSize: 10, eventTypes: 'MoneyDeposited' as never }), INVALID_READ_OPTIONS, /got "MoneyDeposited"/],
  ['replayAll$: eventTypes with a hole', (s) => s.replayAll$({ pageSize: 10, eventTypes: [MoneyDeposited, , MoneyWithdrawn] as never }), INVALID_READ_OPTIONS, /eventTypes\[1\] is missing/],
  ['replayAll$: eventTypes with an unregistered class', (s) => s.replayAll$({ pageSize: 10, eventTypes: [NotRegistered] }), INVALID_READ_OPTIONS, /class NotRegistered, which has no stable type name/],
  ['replayAll$: an empty streamPrefix', (s) => s.replayAll$({ pageSize: 10, streamPrefix: '' }), INVALID_READ_OPTIONS, /streamPrefix must be a non-empty string/],
  ['replayAll$: a streamPrefix over 1 KB', (s) => s.replayAll$({ pageSize: 10, streamPrefix: 'p'.repeat(1025) }), INVALID_READ_OPTIONS, /streamPrefix takes 1025 bytes/],
  ['replayAll$: a streamPrefix with a lone surrogate', (s) => s.replayAll$({ pageSize: 10, streamPrefix: 'acc-\uD800' }), INVALID_READ_OPTIONS, /streamPrefix holds a lone surrogate/],
  ['replayAll$: onCaughtUp that is not a function', (s) => s.replayAll$({ pageSize: 10, onCaughtUp: 'log' as never }), INVALID_READ_OPTIONS, /onCaughtUp must be a function/],
];

describe('read, replay$ and replayAll$ with bad options', () => {
  let app: EventStoreApp;
  let client: DynamoDBClient;
  let tap: RequestTap;
  const stream = `bad-read-${Date.now()}`;

  beforeAll(async () => {
    client = new DynamoDBClient(testClientConfig());
    tap = new RequestTap(client);
    app = await createEventStoreApp('bad-read', { client });
    await app.store.append(stream, [new AccountOpened(stream, 'ann')], { expectedVersion: NO_STREAM });
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  it.each(reads)('DynamoDB: %s throws a typed error at once; no request sent', (_label, call, code, message) => {
    const error = thrownBy(() => call(app.store, stream));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(tap.sent).toEqual([]);
  });

  it.each(reads)('in memory: %s throws the same typed error at once', (_label, call, code, message) => {
    const error = thrownBy(() => call(new InMemoryEventStore({ events: TEST_EVENTS }), stream));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

/** [what is wrong, the options (from valid ones), the option the error names, what it says]. */
const moduleOptions: Array<[string, (valid: DynamoEventSourcingModuleOptions) => unknown, string, RegExp]> = [
  ['null as the client', (o) => ({ ...o, client: null }), 'client', /must be a DynamoDBClient .* got null/],
  ['a string as the client config', (o) => ({ ...o, clientConfig: 'eu-west-1' }), 'clientConfig', /got "eu-west-1"/],
  ['an array as the client config', (o) => ({ ...o, clientConfig: [] }), 'clientConfig', /got an array/],
  ['an array as the tables', (o) => ({ ...o, tables: ['events'] }), 'tables', /got an array/],
  ['a number as a table name', (o) => ({ ...o, tables: { events: 12345 } }), 'tables.events', /must be a table name \(a string\); got 12345/],
  ['an array as a table name', (o) => ({ ...o, tables: { events: ['ledger'] } }), 'tables.events', /got an array/],
  ['null as a table name', (o) => ({ ...o, tables: { events: null } }), 'tables.events', /got null/],
  ['a BigInt as the table setup', (o) => ({ ...o, tableSetup: 1n }), 'tableSetup', /got bigint/],
  ['a BigInt as the indexer poll interval', (o) => ({ ...o, feed: { indexer: { pollIntervalMs: 200n } } }), 'feed.indexer.pollIntervalMs', /got bigint/],
  ['a symbol as the indexer poll interval', (o) => ({ ...o, feed: { indexer: { pollIntervalMs: Symbol('2s') } } }), 'feed.indexer.pollIntervalMs', /got symbol/],
  ['Infinity as the indexer lease', (o) => ({ ...o, feed: { indexer: { leaseTtlMs: Infinity } } }), 'feed.indexer.leaseTtlMs', /got Infinity/],
  ['a poll interval faster than DynamoDB Streams allows', (o) => ({ ...o, feed: { indexer: { pollIntervalMs: 10 } } }), 'feed.indexer.pollIntervalMs', /from 50 to 60000/],
  ['an unknown indexer option', (o) => ({ ...o, feed: { indexer: { shards: 4 } } }), 'feed.indexer.shards', /not an indexer option/],
  ['a BigInt as snapshots.keep', (o) => ({ ...o, snapshots: { keep: 3n } }), 'snapshots.keep', /got bigint/],
  ['a BigInt as projections.autoStart', (o) => ({ ...o, projections: { autoStart: 1n } }), 'projections.autoStart', /got bigint/],
  ['a symbol as retry.maxAttempts', (o) => ({ ...o, retry: { maxAttempts: Symbol('x') } }), 'retry.maxAttempts', /got symbol/],
  ['a symbol as retry.maxDelayMs', (o) => ({ ...o, retry: { maxDelayMs: Symbol('x') } }), 'retry.maxDelayMs', /got symbol/],
  ['an array as the retry options', (o) => ({ ...o, retry: [8] }), 'retry', /got an array/],
  ['a revoked Proxy as the feed options', (o) => ({ ...o, feed: revoked({}) }), 'feed', /must be an object/],
  ['a string as the events', (o) => ({ ...o, events: 'AccountOpened' }), 'events', /must be an array of event classes; got "AccountOpened"/],
  ['a misspelt option (tablePrefx)', (o) => ({ ...o, tablePrefx: 'x' }), 'tablePrefx', /is not an option/],
];
/** The whole options object is wrong: checked by the DynamoDB module's runtime (the in-memory store takes its options apart first). */
const wholeOptions: Array<[string, () => unknown, RegExp]> = [
  ['null as the options', () => null, /must be an object; got null/],
  ['an array as the options', () => [], /must be an object; got an array/],
  ['a revoked Proxy as the options', () => revoked({}), /must be an object; got a revoked Proxy/],
];

describe('module options that are wrong', () => {
  let client: DynamoDBClient;
  let tap: RequestTap;
  const valid = (): DynamoEventSourcingModuleOptions => ({ client, tableSetup: 'create', events: TEST_EVENTS, tables: { events: uniqueTableName('bad-options') } });

  beforeAll(() => {
    client = new DynamoDBClient(testClientConfig());
    tap = new RequestTap(client);
  });
  beforeEach(() => tap.reset());
  afterAll(() => client.destroy());

  it.each(moduleOptions)('DynamoDB: %s is an InvalidModuleOptionsError naming it; no table touched', async (_label, options, option, message) => {
    const failure = createEventSourcingRuntime(options(valid()) as DynamoEventSourcingModuleOptions);
    await expect(failure).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option, message: expect.stringMatching(message) });
    expect(tap.sent).toEqual([]);
  });

  it.each(moduleOptions)('in memory: %s is the same InvalidModuleOptionsError', (_label, options, option, message) => {
    const error = thrownBy(() => new InMemoryEventStore(options({ events: TEST_EVENTS }) as never));
    expect(error).toBeInstanceOf(InvalidModuleOptionsError);
    expect(error).toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option, message: expect.stringMatching(message) });
  });

  it.each(wholeOptions)('DynamoDB: %s is an InvalidModuleOptionsError', async (_label, options, message) => {
    const failure = createEventSourcingRuntime(options() as DynamoEventSourcingModuleOptions);
    await expect(failure).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option: '(options)', message: expect.stringMatching(message) });
    expect(tap.sent).toEqual([]);
  });
});

@Projection('lone-surrogate-prefix', { streamPrefix: 'acc-\uD800' })
class LoneSurrogatePrefix {
  @ProjectionHandler(AccountOpened)
  opened(): void {}
}
@Projection('long-prefix', { streamPrefix: 'p'.repeat(1025) })
class LongPrefix {
  @ProjectionHandler(AccountOpened)
  opened(): void {}
}
@Projection('bigint-page-size', { pageSize: 100n as never })
class BigIntPageSize {
  @ProjectionHandler(AccountOpened)
  opened(): void {}
}

/** [what is wrong, the projection class, the option the error names, what it says]: refused by forFeature(), before the app starts. */
const projectionOptions: Array<[string, Function, string, RegExp]> = [
  ['a streamPrefix with a lone surrogate', LoneSurrogatePrefix, 'projections[0] (LoneSurrogatePrefix) @Projection options.streamPrefix', /without lone surrogates/],
  ['a streamPrefix over 1 KB', LongPrefix, 'projections[0] (LongPrefix) @Projection options.streamPrefix', /at most 1024 bytes/],
  ['a BigInt pageSize', BigIntPageSize, 'projections[0] (BigIntPageSize) @Projection options.pageSize', /got bigint/],
];

describe('@Projection options that are wrong', () => {
  it.each(projectionOptions)('%s is an InvalidModuleOptionsError naming it', (_label, type, option, message) => {
    const error = thrownBy(() => DynamoEventSourcingModule.forFeature({ projections: [type as never] }));
    expect(error).toBeInstanceOf(InvalidModuleOptionsError);
    expect(error).toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option, message: expect.stringMatching(message) });
  });
});

/** [what is wrong, the forFeature() options, the option the error names]. Checked by assertFeatureOptions, once forFeature() calls it. */
const featureOptions: Array<[string, unknown, string]> = [
  ['null as the options', null, 'forFeature(options)'],
  ['an array as the options', [], 'forFeature(options)'],
  ['a misspelt option (aggregate)', { aggregate: [] }, 'aggregate'],
  ['a number as the events', { events: 5 }, 'events'],
];

describe('forFeature() options that are wrong', () => {
  it.each(featureOptions)('%s is an InvalidModuleOptionsError naming it; no request sent', async (_label, options, option) => {
    const client = new DynamoDBClient(testClientConfig());
    const tap = new RequestTap(client);
    const start = async () => {
      const module = await Test.createTestingModule({
        imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot({ client, tableSetup: 'none' }), DynamoEventSourcingModule.forFeature(options as never)],
      }).compile();
      await module.init();
      await module.close();
    };
    try {
      await expect(start()).rejects.toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option });
      expect(tap.sent).toEqual([]);
    } finally {
      client.destroy();
    }
  });
});

@Projection('bad-rebuild-options')
class LedgerProjection implements ResettableProjection {
  @ProjectionHandler(AccountOpened)
  opened(_event: AccountOpened, _envelope: FeedEvent<AccountOpened>): void {}
  reset(): void {}
}

/** [what is passed, the rebuild options, what the message says]. */
const rebuilds: Array<[string, unknown, RegExp]> = [
  ['null as the options', null, /rebuild options must be an object .* got null/],
  ['a function as the options', () => undefined, /got function/],
  ['options as an array', [], /got an array/],
  ['a misspelt option (onProgres)', { onProgres: () => undefined }, /no option "onProgres" \(known: onProgress\)/],
  ['onProgress that is not a function', { onProgress: 'log' }, /onProgress must be a function; got "log"/],
];

describe('ProjectionManager.rebuild with bad options', () => {
  const tables = projectionTables('bad-rebuild');
  let app: ProjectionApp;
  let before: unknown;

  beforeAll(async () => {
    app = await createProjectionApp(tables, { projections: [LedgerProjection], options: { projections: { autoStart: false } } });
    await app.manager.rebuild(LedgerProjection); // the projection's item, to compare with after each refusal
    before = await storedProjection(tables, 'bad-rebuild-options');
  });
  beforeEach(() => app.tap.reset());
  afterAll(async () => {
    await app.close();
    await deleteProjectionTables(tables);
  });

  it.each(rebuilds)('%s is an InvalidArgumentError; no request sent, the projection unchanged', async (_label, options, message) => {
    const failure = app.manager.rebuild(LedgerProjection, options as never);
    await expect(failure).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(failure).rejects.toMatchObject({ code: INVALID_REBUILD_OPTIONS, message: expect.stringMatching(message) });
    expect(app.tap.sent).toEqual([]);
    expect(await storedProjection(tables, 'bad-rebuild-options')).toEqual(before);
  });
});
