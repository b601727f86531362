import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { DynamoEventSourcingModuleOptions } from '../interfaces/dynamo-event-sourcing-module-options.interface.js';
import { resolveModuleOptions } from './resolve-module-options.js';

function failure(options: unknown): InvalidModuleOptionsError {
  try {
    resolveModuleOptions(options as DynamoEventSourcingModuleOptions);
  } catch (error) {
    if (error instanceof InvalidModuleOptionsError) return error;
    throw error;
  }
  throw new Error('expected the options to be rejected');
}

describe('resolveModuleOptions', () => {
  it('fills in defaults', () => {
    const resolved = resolveModuleOptions({});
    expect(resolved).toMatchObject({ eventsTable: 'events', tableSetup: 'verify', publishEvents: true, events: [] });
    expect(resolved.retry.maxAttempts).toBe(8);
  });

  it('runs the feed indexer in the app by default, not with indexer: false, and no feed at all with feed: false', () => {
    expect(resolveModuleOptions({}).feed).toEqual({ indexer: { pollIntervalMs: 200, leaseTtlMs: 10_000, maxStreams: 100_000 }, ignored: [] });
    expect(resolveModuleOptions({ feed: { indexer: { pollIntervalMs: 100 } } }).feed?.indexer).toEqual({ pollIntervalMs: 100, leaseTtlMs: 10_000, maxStreams: 100_000 });
    expect(resolveModuleOptions({ feed: { indexer: false } }).feed).toEqual({ ignored: [] });
    expect(resolveModuleOptions({ feed: false }).feed).toBeUndefined();
  });

  it("accepts 0.3's feed options, which no longer mean anything, and lists them to be warned about", () => {
    expect(resolveModuleOptions({ feed: { shards: 4, settleMs: 2000 } }).feed).toMatchObject({ ignored: ['shards', 'settleMs'], indexer: { pollIntervalMs: 200 } });
  });

  it('takes an undefined retry setting as its default', () => {
    expect(resolveModuleOptions({ retry: { maxAttempts: undefined, baseDelayMs: 5 } }).retry).toEqual({ maxAttempts: 8, baseDelayMs: 5, maxDelayMs: 2000 });
  });

  it('prefixes table names', () => {
    expect(resolveModuleOptions({ tablePrefix: 'prod-', tables: { events: 'ledger' } }).eventsTable).toBe('prod-ledger');
    expect(resolveModuleOptions({ tablePrefix: 'prod-', snapshots: {} }).snapshotsTable).toBe('prod-snapshots');
    expect(resolveModuleOptions({ tablePrefix: 'prod-', tables: { snapshots: 'states' }, snapshots: {} }).snapshotsTable).toBe('prod-states');
    expect(resolveModuleOptions({ tablePrefix: 'prod-' })).toMatchObject({ projectionsTable: 'prod-projections', projections: { autoStart: true } });
  });

  it('leaves snapshots off unless the snapshots option is set', () => {
    expect(resolveModuleOptions({}).snapshots).toBeUndefined();
    expect(resolveModuleOptions({ snapshots: {} }).snapshots).toEqual({ keep: undefined, ttlSeconds: undefined });
    expect(resolveModuleOptions({ snapshots: { keep: 2, ttlSeconds: 86_400 } }).snapshots).toEqual({ keep: 2, ttlSeconds: 86_400 });
  });

  it.each([
    [{ tableSetup: 'make' }, 'tableSetup', /one of 'create', 'verify', 'none'/],
    [{ tabelPrefix: 'x' }, 'tabelPrefix', /is not an option/],
    [{ tables: { snapshot: 'x' } }, 'tables.snapshot', /not a table/],
    [{ tables: { events: 'a b' } }, 'tables.events', /does not allow/],
    [{ client: {} }, 'client', /DynamoDBClient/],
    [{ events: 'AccountOpened' }, 'events', /array/],
    [{ publishEvents: 'yes' }, 'publishEvents', /true or false/],
    [{ retry: { maxAttempts: 0 } }, 'retry.maxAttempts', /1 to 100/],
    [{ retry: { maxAttempt: 3 } }, 'retry.maxAttempt', /not a retry option/],
    [{ retry: { baseDelayMs: 100, maxDelayMs: 10 } }, 'retry.maxDelayMs', />= retry.baseDelayMs/],
    [{ snapshots: true }, 'snapshots', /must be an object/],
    [{ snapshots: null }, 'snapshots', /must be an object/],
    [{ snapshots: { kep: 2 } }, 'snapshots.kep', /not a snapshot option. Known: keep, ttlSeconds/],
    [{ snapshots: { keep: 0 } }, 'snapshots.keep', /whole number >= 1/],
    [{ snapshots: { keep: 1.5 } }, 'snapshots.keep', /whole number >= 1/],
    [{ snapshots: { ttlSeconds: -60 } }, 'snapshots.ttlSeconds', /whole number of seconds >= 1/],
    [{ snapshots: { ttlSeconds: '1d' } }, 'snapshots.ttlSeconds', /got "1d"/],
    [{ tables: { snapshots: 'states' } }, 'tables.snapshots', /snapshots are off/],
    [{ tables: { snapshots: 'x' }, snapshots: {} }, 'tables.snapshots', /does not allow/],
    [{ tables: { events: 'log', snapshots: 'log' }, snapshots: {} }, 'tables.snapshots', /table of their own/],
    [{ projections: { autostart: false } }, 'projections.autostart', /not a projections option. Known: autoStart/],
    [{ projections: { autoStart: 'no' } }, 'projections.autoStart', /true or false/],
    [{ projections: false }, 'projections', /must be an object/],
    [{ tables: { projections: 'a b' } }, 'tables.projections', /does not allow/],
  ])('rejects %j naming the option', (options, option, problem) => {
    const error = failure(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`\`${option}\``);
  });

  // Values that used to escape as a TypeError (JSON.stringify of a BigInt, a Symbol in a template,
  // null.send) or to pass unchecked (a table name that is not a string, a settle window of 1e300).
  it.each([
    ['null as the client', { client: null }, 'client', /got null/],
    ['a BigInt table setup', { tableSetup: 1n }, 'tableSetup', /got bigint/],
    ['a BigInt indexer poll interval', { feed: { indexer: { pollIntervalMs: 200n } } }, 'feed.indexer.pollIntervalMs', /got bigint/],
    ['a symbol indexer lease', { feed: { indexer: { leaseTtlMs: Symbol('s') } } }, 'feed.indexer.leaseTtlMs', /got symbol/],
    ['an indexer remembering no stream', { feed: { indexer: { maxStreams: 0 } } }, 'feed.indexer.maxStreams', /whole number >= 1/],
    ['an indexer given as true', { feed: { indexer: true } }, 'feed.indexer', /must be an object/],
    ['a BigInt snapshots.keep', { snapshots: { keep: 2n } }, 'snapshots.keep', /got bigint/],
    ['a symbol snapshots.ttlSeconds', { snapshots: { ttlSeconds: Symbol('t') } }, 'snapshots.ttlSeconds', /got symbol/],
    ['a BigInt projections.autoStart', { projections: { autoStart: 1n } }, 'projections.autoStart', /got bigint/],
    ['a symbol retry.maxAttempts', { retry: { maxAttempts: Symbol('r') } }, 'retry.maxAttempts', /got symbol/],
    ['a symbol retry.baseDelayMs', { retry: { baseDelayMs: Symbol('r') } }, 'retry.baseDelayMs', /got symbol/],
    ['a BigInt boundaryCache.trustMs', { boundaryCache: { trustMs: 1n } }, 'boundaryCache.trustMs', /got bigint/],
    ['a number as a table name', { tables: { events: 12345 } }, 'tables.events', /a table name \(a string\); got 12345/],
    ['an array as a table name', { tables: { events: ['ledger'] } }, 'tables.events', /got an array/],
    ['null as a table name', { tables: { events: null } }, 'tables.events', /got null/],
    ['an array as the tables', { tables: [] }, 'tables', /got an array/],
    ['an array as the client config', { clientConfig: [] }, 'clientConfig', /got an array/],
    ['an array as the retry options', { retry: [] }, 'retry', /got an array/],
    ['an array as the options', [], '(options)', /got an array/],
  ])('rejects %s with an InvalidModuleOptionsError naming it', (_kind, options, option, problem) => {
    const error = failure(options);
    expect(error.option).toBe(option);
    expect(error.message).toMatch(problem);
    expect(error.message).toContain(`\`${option}\``);
  });
});
