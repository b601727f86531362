import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ProjectionItemAttribute as A } from '../lib/index.js';
import { startChildNode, transpileForChildProcess, type ChildNode, type TranspiledSources } from './support/child-node.js';
import { testClientConfig } from './support/dynamodb.js';
import { createProjectionApp, deleteProjectionTables, projectionTables, storedProjection, waitUntil, type ProjectionApp, type ProjectionTables } from './support/projection-app.js';
import { TAKEOVER_PROJECTION, takeoverProjection } from './support/takeover-projection.js';

const HOLDER = 'test/support/projection-holder-process.ts';

/** The lease's expiry as stored (ms since the epoch, the holder's clock), read straight from the table. */
async function storedExpiry(tables: ProjectionTables): Promise<number> {
  return Number((await storedProjection(tables, TAKEOVER_PROJECTION))![A.leaseExpiresAt]!.N);
}

/** Resolves to the time the standby left standby (it took the lease), checking every few ms. */
async function takeoverTime(standby: ProjectionApp, timeoutMs: number): Promise<number> {
  await waitUntil('the standby took the lease over', () => standby.manager.status(TAKEOVER_PROJECTION).state !== 'standby', timeoutMs);
  return Date.now();
}

/** Resolves once the standby has just finished a check of the lease (a GetItem answered). */
async function afterNextCheck(standby: ProjectionApp): Promise<void> {
  const answered = standby.tap.answered.filter((command) => command === 'GetItemCommand').length;
  await waitUntil('the standby checked the lease', () => standby.tap.answered.filter((command) => command === 'GetItemCommand').length > answered);
}

describe('Projection lease takeover: a holder that dies without releasing is replaced leaseTtlMs after its death, plus one standby check', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('a holder process SIGKILLed: a standby takes over within leaseTtlMs of the kill plus one check, not a poll later', async () => {
    // Standbys check every 2 s here (pollIntervalMs, at most a third of leaseTtlMs): the allowance for
    // one check's requests is half of that, which a standby that only polled would miss half the time.
    const options = { leaseTtlMs: 6000, pollIntervalMs: 3000 };
    const allowanceMs = Math.min(options.pollIntervalMs, options.leaseTtlMs / 3) / 2;
    const tables = projectionTables('takeover-kill');
    cleanups.push(() => deleteProjectionTables(tables));
    const sources: TranspiledSources = transpileForChildProcess([HOLDER]);
    cleanups.push(() => sources.remove());

    const holder: ChildNode = startChildNode(sources.path(HOLDER), {
      HOLDER_TABLES: JSON.stringify(tables),
      HOLDER_LEASE_TTL_MS: String(options.leaseTtlMs),
      HOLDER_POLL_INTERVAL_MS: String(options.pollIntervalMs),
    });
    cleanups.push(() => holder.kill());
    await holder.waitForLine((line) => line.includes('"live"'), 60_000);

    const standby = await createProjectionApp(tables, { projections: [takeoverProjection(options)] });
    cleanups.push(() => standby.close());
    await afterNextCheck(standby);
    expect(standby.manager.status(TAKEOVER_PROJECTION).state).toBe('standby');
    const holderOwner = (await storedProjection(tables, TAKEOVER_PROJECTION))![A.leaseOwner]!.S;

    const killedAt = Date.now(); // taken before the signal: the holder died after this
    await holder.kill();
    const expiry = await storedExpiry(tables); // its last renewal's: it renews no more
    const tookOverAt = await takeoverTime(standby, options.leaseTtlMs + 10_000);

    const stored = (await storedProjection(tables, TAKEOVER_PROJECTION))!;
    expect(stored[A.leaseOwner]!.S).not.toBe(holderOwner);
    // Never before the dead holder's lease lapsed; at most one check's requests after.
    expect(tookOverAt).toBeGreaterThanOrEqual(expiry);
    expect(tookOverAt - expiry).toBeLessThanOrEqual(allowanceMs);
    expect(tookOverAt - killedAt).toBeLessThanOrEqual(options.leaseTtlMs + allowanceMs);
    console.log(
      `leaseTtlMs ${options.leaseTtlMs}, pollIntervalMs ${options.pollIntervalMs}: taken over ${tookOverAt - killedAt} ms after the SIGKILL, ` +
        `${tookOverAt - expiry} ms after the lease lapsed`,
    );
  });

  it('a standby checks right after the expiry it read: a lease that lapses between two polls is taken at once, not at the next poll', async () => {
    const options = { leaseTtlMs: 9000, pollIntervalMs: 3000 };
    const tables = projectionTables('takeover-wake');
    cleanups.push(() => deleteProjectionTables(tables));
    const standby = await createProjectionApp(tables, { projections: [takeoverProjection(options)], options: { projections: { autoStart: false } } });
    cleanups.push(() => standby.close());

    // A holder that renewed a moment ago and will never renew again (it died).
    const client = new DynamoDBClient(testClientConfig());
    cleanups.push(() => client.destroy());
    await client.send(
      new PutItemCommand({
        TableName: tables.projections,
        Item: {
          [A.projection]: { S: TAKEOVER_PROJECTION },
          [A.leaseOwner]: { S: 'dead-holder' },
          [A.leaseEpoch]: { N: '1' },
          [A.leaseExpiresAt]: { N: String(Date.now() + options.leaseTtlMs) },
        },
      }),
    );
    await standby.manager.start(TAKEOVER_PROJECTION);
    await afterNextCheck(standby);
    expect(standby.manager.status(TAKEOVER_PROJECTION).state).toBe('standby');

    // Just after a check, the lease is made to lapse half a poll after the next check: a standby
    // polling on would find it lapsed a whole poll after that check, half a poll late.
    await afterNextCheck(standby);
    const expiry = Date.now() + 1.5 * options.pollIntervalMs;
    await client.send(
      new UpdateItemCommand({
        TableName: tables.projections,
        Key: { [A.projection]: { S: TAKEOVER_PROJECTION } },
        UpdateExpression: 'SET #expires = :expires',
        ExpressionAttributeNames: { '#expires': A.leaseExpiresAt },
        ExpressionAttributeValues: { ':expires': { N: String(expiry) } },
      }),
    );
    const tookOverAt = await takeoverTime(standby, 3 * options.pollIntervalMs);

    expect(tookOverAt).toBeGreaterThanOrEqual(expiry);
    // One check's two requests and a timer, with a wide margin; half a poll would be beyond it.
    expect(tookOverAt - expiry).toBeLessThanOrEqual(options.pollIntervalMs / 3);
    expect((await storedProjection(tables, TAKEOVER_PROJECTION))![A.leaseEpoch]!.N).toBe('2');
    console.log(`pollIntervalMs ${options.pollIntervalMs}: the lapsed lease was taken ${tookOverAt - expiry} ms after its expiry`);
  });
});
