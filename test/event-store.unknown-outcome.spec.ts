import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  AppendOutcomeUnknownError,
  EventStoreErrorCode,
  NO_STREAM,
  RetriesExhaustedError,
  WriteOutcomeUnknownError,
  type EventStore,
} from '../lib/index.js';
import { testClientConfig } from './support/dynamodb.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits, type MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';
import { createSnapshotApp, type SnapshotApp } from './support/snapshot-app.js';

/** The SDK's own attempts per request, set on the client so the counts below are exact. */
const SDK_ATTEMPTS = 2;
const MODULE_ATTEMPTS = 3;

/**
 * A timeout, a reset connection or a 5xx answer leaves a write's outcome unknown. Appends retry
 * them within the module's budget like throttling (a retry of a request that did land finds its
 * own item), and when the budget runs out say so with a typed error carrying the commit id, with
 * which retrying is safe.
 */
describe('EventStore.append when DynamoDB does not answer', () => {
  let app: EventStoreApp;
  let store: EventStore;
  let client: DynamoDBClient;
  let tap: RequestTap;

  beforeAll(async () => {
    client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: SDK_ATTEMPTS });
    tap = new RequestTap(client);
    app = await createEventStoreApp('unknown-outcome', { client, retry: { maxAttempts: MODULE_ATTEMPTS, baseDelayMs: 1, maxDelayMs: 5 } });
    store = app.store;
    // The first append of a process also records the feed's shard count (a PutItem): out of the way of the counts below.
    await store.append(`warm-up-${Date.now()}`, deposits('warm-up', 1), { expectedVersion: NO_STREAM });
  });
  beforeEach(() => tap.reset());
  afterAll(async () => {
    await app.close();
    client.destroy();
  });

  const amountsOf = async (streamId: string) => (await collect(store.read(streamId))).map((e) => (e.event as MoneyDeposited).amount);

  it('retries 5xx answers past the SDK\'s own retries, within the module\'s budget', async () => {
    const streamId = `server-error-${Date.now()}`;
    tap.failAttemptsWithServerError('PutItemCommand', SDK_ATTEMPTS + 1); // the SDK gives up once; the module tries again
    const result = await store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM });
    expect(result).toMatchObject({ version: 2, duplicate: false });
    expect(tap.count('PutItemCommand')).toBe(2); // two sends by the module, each with the SDK's attempts inside
    expect(await amountsOf(streamId)).toEqual([1, 2]);
  });

  it('a commit that landed with every answer lost: AppendOutcomeUnknownError with the generated commit id; retrying with it stores nothing twice', async () => {
    const streamId = `lost-${Date.now()}`;
    await store.append(streamId, deposits(streamId, 1), { expectedVersion: NO_STREAM });
    tap.loseAnswers('PutItemCommand', SDK_ATTEMPTS * MODULE_ATTEMPTS);
    const failure = store.append(streamId, deposits(streamId, 2, 0, 10), { expectedVersion: 1 });
    await expect(failure).rejects.toBeInstanceOf(AppendOutcomeUnknownError);
    const error = (await failure.catch((e: unknown) => e)) as AppendOutcomeUnknownError;
    expect(error).toMatchObject({ code: EventStoreErrorCode.APPEND_OUTCOME_UNKNOWN, streamId, attempts: MODULE_ATTEMPTS });
    expect(error.commitId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain(`commitId: "${error.commitId}"`);
    expect(await amountsOf(streamId)).toEqual([1, 10, 11]); // it did land, once

    const retried = await store.append(streamId, deposits(streamId, 2, 0, 10), { expectedVersion: 1, commitId: error.commitId });
    expect(retried).toMatchObject({ duplicate: true, version: 3, commitId: error.commitId });
    expect(await amountsOf(streamId)).toEqual([1, 10, 11]);
  });

  it('5xx answers on every attempt (nothing landed): the error carries the caller\'s commit id, and the retry with it appends once', async () => {
    const streamId = `never-${Date.now()}`;
    tap.failAttemptsWithServerError('PutItemCommand', SDK_ATTEMPTS * MODULE_ATTEMPTS);
    const failure = store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM, commitId: 'open-1' });
    await expect(failure).rejects.toMatchObject({ code: EventStoreErrorCode.APPEND_OUTCOME_UNKNOWN, commitId: 'open-1', lastErrorName: 'InternalServerError' });
    expect(await amountsOf(streamId)).toEqual([]);
    const retried = await store.append(streamId, deposits(streamId, 2), { expectedVersion: NO_STREAM, commitId: 'open-1' });
    expect(retried).toMatchObject({ duplicate: false, version: 2 });
    expect(await amountsOf(streamId)).toEqual([1, 2]);
  });

  it('a split commit (a transaction) that landed with its answers lost is recognized by its commit id too', async () => {
    const streamId = `lost-split-${Date.now()}`;
    const events = deposits(streamId, 1500, 280);
    tap.loseAnswers('TransactWriteItemsCommand', SDK_ATTEMPTS * MODULE_ATTEMPTS);
    const error = (await store.append(streamId, events, { expectedVersion: NO_STREAM }).catch((e: unknown) => e)) as AppendOutcomeUnknownError;
    expect(error).toBeInstanceOf(AppendOutcomeUnknownError);
    const retried = await store.append(streamId, events, { expectedVersion: NO_STREAM, commitId: error.commitId });
    expect(retried).toMatchObject({ duplicate: true, version: 1500 });
    expect(await collect(store.read(streamId))).toHaveLength(1500);
  });

  it('an answer the SDK lost and retried itself, then throttling to the end: still an unknown outcome, since that attempt landed', async () => {
    const streamId = `lost-inside-sdk-${Date.now()}`;
    let attempt = 0;
    // Inside the SDK's retry loop: the first attempt reaches DynamoDB and its answer is lost; every later one is throttled.
    client.middlewareStack.addRelativeTo(
      ((next: (args: object) => Promise<unknown>, context: { commandName?: string }) => async (args: object) => {
        if (context.commandName !== 'PutItemCommand') return next(args);
        if (++attempt === 1) {
          await next(args);
          throw Object.assign(new Error('injected: answer lost'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
        }
        throw Object.assign(new Error('injected: throttled'), { name: 'ThrottlingException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }) as never,
      { relation: 'before', toMiddleware: 'deserializerMiddleware', name: 'lostThenThrottled' },
    );
    try {
      const failure = store.append(streamId, deposits(streamId, 1, 0, 5), { expectedVersion: NO_STREAM });
      // The module only ever sees ThrottlingException from the SDK; the attempt that landed is seen by its per-attempt hook.
      await expect(failure).rejects.toBeInstanceOf(AppendOutcomeUnknownError);
      const error = (await failure.catch((e: unknown) => e)) as AppendOutcomeUnknownError;
      expect(await amountsOf(streamId)).toEqual([5]);
      client.middlewareStack.remove('lostThenThrottled');
      expect(await store.append(streamId, deposits(streamId, 1, 0, 5), { expectedVersion: NO_STREAM, commitId: error.commitId })).toMatchObject({ duplicate: true });
    } finally {
      client.middlewareStack.remove('lostThenThrottled');
    }
  });

  it('throttling that outlasts the budget is a RetriesExhaustedError: nothing was written, and it says which commit id to retry with', async () => {
    const streamId = `throttled-${Date.now()}`;
    tap.failNext('PutItemCommand', MODULE_ATTEMPTS, 'ThrottlingException');
    const failure = store.append(streamId, deposits(streamId, 1), { expectedVersion: NO_STREAM, commitId: 'deposit-7' });
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toThrow(/Nothing was written\. Retrying with \{ commitId: "deposit-7" \} is safe/);
    expect(await amountsOf(streamId)).toEqual([]);
  });

  it('reads retry 5xx answers and lost answers too', async () => {
    const streamId = `read-faults-${Date.now()}`;
    await store.append(streamId, deposits(streamId, 3), { expectedVersion: NO_STREAM });
    tap.failAttemptsWithServerError('QueryCommand', SDK_ATTEMPTS);
    tap.loseAnswers('QueryCommand', SDK_ATTEMPTS);
    expect(await amountsOf(streamId)).toEqual([1, 2, 3]);
    expect(tap.count('QueryCommand')).toBe(3);
  });
});

describe('Snapshot saves when DynamoDB does not answer', () => {
  let app: SnapshotApp;

  beforeAll(async () => {
    app = await createSnapshotApp('snapshot-unknown'); // retry: 3 attempts
  });
  beforeEach(() => app.tap.reset());
  afterAll(async () => app.close());

  it('a put whose answers are lost but which landed: the save checks the table and succeeds', async () => {
    app.tap.loseAnswers('PutItemCommand', 1_000); // more than any budget
    const saved = await app.snapshots.save('account-1', 5, { balance: 50 }, { revision: 1 });
    expect(saved).toMatchObject({ version: 5 });
    app.tap.reset();
    expect(await app.snapshots.load('account-1', { revision: 1 })).toMatchObject({ version: 5, state: { balance: 50 } });
  });

  it('no answer to the put nor to the check: WriteOutcomeUnknownError, and saving again is safe', async () => {
    app.tap.loseAnswers('PutItemCommand', 1_000);
    app.tap.loseAnswers('GetItemCommand', 1_000);
    const failure = app.snapshots.save('account-3', 5, { balance: 50 }, { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(WriteOutcomeUnknownError);
    await expect(failure).rejects.toMatchObject({ code: EventStoreErrorCode.WRITE_OUTCOME_UNKNOWN });
    await expect(failure).rejects.toThrow(/saving again is safe/);
    app.tap.reset();
    await app.snapshots.save('account-3', 5, { balance: 50 }, { revision: 1 });
    expect(await app.snapshots.load('account-3', { revision: 1 })).toMatchObject({ version: 5, state: { balance: 50 } });
  });

  it('5xx answers to every put, and the table shows nothing saved: a known outcome, RetriesExhaustedError', async () => {
    app.tap.failAttemptsWithServerError('PutItemCommand', 1_000);
    const failure = app.snapshots.save('account-4', 5, { balance: 50 }, { revision: 1 });
    await expect(failure).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(failure).rejects.toThrow(/The snapshot was not there when the table was checked/);
    app.tap.reset();
    expect(await app.snapshots.load('account-4', { revision: 1 })).toBeUndefined();
  });

  it('5xx answers within the budget: the save succeeds', async () => {
    // Fewer than the module's attempts alone: the SDK may not retry at all here (earlier tests drained its retry quota).
    app.tap.failAttemptsWithServerError('PutItemCommand', 2);
    await app.snapshots.save('account-2', 7, { balance: 70 }, { revision: 1 });
    expect(await app.snapshots.load('account-2', { revision: 1 })).toMatchObject({ version: 7 });
  });
});
