import { afterEach, describe, expect, it } from '@jest/globals';
import {
  feedProblems,
  feedScenario,
  indexBatches,
  indexerState,
  indexReaches,
  ready,
  startIndexer,
  startSteadyWriters,
  stopWriters,
} from './support/feed-processes/feed-scenario.js';

/** Short, so that a dead or frozen holder's lease lapses quickly; renewed every third of it. */
const INDEXER = { leaseTtlMs: 1500, pollIntervalMs: 100 };

describe('The feed indexer in processes that die or freeze while writer processes write (DynamoDB Local, real Streams)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('an indexer process SIGKILLed mid-batch, twice, each replaced by a new process once its lease lapsed: every commit indexed exactly once', async () => {
    const scenario = await feedScenario('mp-kill', cleanups);
    const { group } = scenario;
    // Killed right after its 5th batch landed in the index, before it heard so: its successor must go on after that batch, not redo it.
    const first = startIndexer(scenario, 'indexer 1', INDEXER, { at: 'after-write', write: 5, signal: 'SIGKILL' });
    const writers = startSteadyWriters(scenario, 2, 50, 40);
    await ready(scenario, first, ...writers);
    await indexerState(scenario, first, 'indexing');
    for (const writer of writers) writer.send({ type: 'go' });

    // The next one waits on standby; it is killed with its 5th batch planned (its records read) and not yet written.
    const second = startIndexer(scenario, 'indexer 2', INDEXER, { at: 'before-write', write: 5, signal: 'SIGKILL' });
    await ready(scenario, second);
    const firstDeath = await group.waitForMessage(first, 'fault', 'killed itself after its 5th batch write', 60_000);
    const acksAtFirstDeath = scenario.acks.length;
    await first.exited;
    await indexerState(scenario, second, 'indexing');
    const writtenWhileNoIndexer = [scenario.acks.length - acksAtFirstDeath];
    const third = startIndexer(scenario, 'indexer 3', INDEXER);
    await ready(scenario, third);
    const secondDeath = await group.waitForMessage(second, 'fault', 'killed itself before its 5th batch write', 60_000);
    const acksAtSecondDeath = scenario.acks.length;
    await second.exited;
    await indexerState(scenario, third, 'indexing');
    writtenWhileNoIndexer.push(scenario.acks.length - acksAtSecondDeath);
    // The writers wrote on through both outages (acknowledged between a death and the takeover), and while the third indexes.
    expect(writtenWhileNoIndexer.every((acks) => acks > 0)).toBe(true);
    await group.waitUntil('the third indexer has written batches', () => third.all('index-write').filter((write) => write.landed).length >= 3, 30_000);
    const commits = await stopWriters(scenario, writers);

    await indexReaches(scenario, commits);
    expect(await feedProblems(scenario)).toEqual([]);
    expect(await scenario.parent.indexHead()).toBe(commits);
    // Where each successor started: right after the batch the first wrote unheard (it is in the index, by the first),
    // and at the very position the second had planned and never written.
    const batches = await indexBatches(scenario.parent.client, scenario.tables.events);
    expect(batches.find((batch) => batch.position === firstDeath.position)?.writer).toBe(firstDeath.writer);
    expect(second.all('index-write').find((write) => write.landed)?.position).toBe(firstDeath.lastPosition + 1);
    expect(batches.find((batch) => batch.position === secondDeath.position)?.writer).not.toBe(secondDeath.writer);
    expect(third.all('index-write').find((write) => write.landed)?.position).toBe(secondDeath.position);
    console.log(
      `${commits} commits; indexer 1 killed after writing positions ${firstDeath.position}-${firstDeath.lastPosition}, ` +
        `indexer 2 killed before writing position ${secondDeath.position}; indexer 3 wrote up to ${commits}; ` +
        `${writtenWhileNoIndexer.join(' and ')} commits acknowledged while no indexer ran`,
    );
  }, 180_000);

  it('two indexer processes racing after a takeover: the holder frozen (SIGSTOP) with a batch in hand until the other took over, then thawed: its late write is fenced', async () => {
    const scenario = await feedScenario('mp-freeze', cleanups);
    const { group, parent } = scenario;
    const holder = startIndexer(scenario, 'holder', INDEXER, { at: 'before-write', write: 5, signal: 'SIGSTOP' });
    const writers = startSteadyWriters(scenario, 2, 50, 40);
    await ready(scenario, holder, ...writers);
    await indexerState(scenario, holder, 'indexing');
    const standby = startIndexer(scenario, 'standby', INDEXER);
    await ready(scenario, standby);
    await indexerState(scenario, standby, 'standby');
    for (const writer of writers) writer.send({ type: 'go' });

    // Frozen with its 5th batch planned for `position`, renewing nothing: its lease lapses, the standby takes over
    // and writes that very position with what it read itself.
    const frozen = await group.waitForMessage(holder, 'fault', 'froze itself before its 5th batch write', 60_000);
    await indexerState(scenario, standby, 'indexing');
    await group.waitUntil(`the standby wrote position ${frozen.position}`, () => standby.all('index-write').some((write) => write.landed && write.position === frozen.position), 30_000);
    expect(holder.running).toBe(true);

    holder.thaw();
    // Its request goes out as it was: refused, as the position is taken. It stands by.
    const late = await group.waitForMessage(holder, 'index-write', 'its late batch write was answered', 30_000, (write) => write.position === frozen.position);
    expect(late).toMatchObject({ landed: false, error: 'ConditionalCheckFailedException' });
    await indexerState(scenario, holder, 'standby');
    // The standby goes on indexing, unbothered, while the writers write.
    const landedBefore = standby.all('index-write').filter((write) => write.landed).length;
    await group.waitUntil('the new holder has written more batches', () => standby.all('index-write').filter((write) => write.landed).length >= landedBefore + 3, 30_000);
    const commits = await stopWriters(scenario, writers);

    await indexReaches(scenario, commits);
    expect(await feedProblems(scenario)).toEqual([]);
    expect(await parent.indexHead()).toBe(commits);
    // No batch of the thawed process landed after its freeze.
    const batches = await indexBatches(parent.client, scenario.tables.events);
    expect(batches.filter((batch) => batch.position >= frozen.position && batch.writer === frozen.writer)).toEqual([]);
    expect(holder.all('index-write').filter((write) => write.landed && write.position >= frozen.position)).toEqual([]);
    console.log(`${commits} commits; the holder froze before writing position ${frozen.position}, which the standby wrote; the thawed holder's write was refused`);
  }, 180_000);
});
