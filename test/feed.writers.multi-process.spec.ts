import { afterEach, describe, expect, it } from '@jest/globals';
import { EventStore, FEED_START, type FeedEvent } from '../lib/index.js';
import { deliveryLatencies, deliveryProblems, HandledLog, lastVersions, percentiles, splitCommitProblems, streamShards } from './support/feed-processes/feed-checks.js';
import type { Ack } from './support/feed-processes/feed-messages.js';
import { feedProblems, feedScenario, indexBatches, indexingFromStream, indexReaches, ready, startIndexer, startWriter, stopWriters } from './support/feed-processes/feed-scenario.js';
import { indexedCommits } from './support/raw-commits.js';

const LARGE = { every: 4, events: 3, eventBytes: 150_000 }; // 450 KB: over DynamoDB's 400 KB item limit, so split

/** The notes' lengths of the events of large commits, by `streamId@version`, as replayAll$ delivers them. */
function replayedNoteLengths(store: EventStore, large: readonly Ack[]): Promise<Map<string, number>> {
  const wanted = new Set(large.flatMap((ack) => Array.from({ length: ack.commitEnd - ack.version + 1 }, (_, i) => `${ack.streamId}@${ack.version + i}`)));
  const lengths = new Map<string, number>();
  return new Promise((resolve, reject) => {
    store.replayAll$<{ note: string }>({ from: FEED_START, pageSize: 50 }).subscribe({
      next: (event: FeedEvent<{ note: string }>) => {
        const id = `${event.streamId}@${event.version}`;
        if (wanted.has(id)) lengths.set(id, event.event.note.length);
      },
      error: reject,
      complete: () => resolve(lengths),
    });
  });
}

describe('The feed with writer processes that write split commits or run on skewed clocks (DynamoDB Local, real Streams)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('commits over 400 KB (split over several items) interleaved with small ones, on the same and other streams, from 3 writer processes: each indexed once, whole', async () => {
    const scenario = await feedScenario('mp-split', cleanups);
    const indexer = startIndexer(scenario, 'indexer', {});
    const shared = ['split-shared-0', 'split-shared-1', 'split-shared-2'];
    const writers = Array.from({ length: 3 }, (_, w) =>
      startWriter(scenario, {
        id: `w${w}`,
        streams: Array.from({ length: 4 }, (_, i) => `split-${w}-${i}`),
        // Appended to by all three writers (expected version 'any'): large and small commits of different processes meet in one stream.
        shared,
        commits: 28,
        commitsPerSecond: 20,
        concurrency: 2,
        large: LARGE,
        seed: 31 * (w + 1),
      }),
    );
    await ready(scenario, indexer, ...writers);
    for (const writer of writers) writer.send({ type: 'go' });
    await scenario.group.waitUntil('the writers are done', () => writers.every((writer) => writer.all('done').length > 0), 120_000);
    const commits = writers.reduce((sum, writer) => sum + writer.all('done')[0]!.commits, 0);

    await indexReaches(scenario, commits);
    expect(await feedProblems(scenario)).toEqual([]);
    expect(await scenario.parent.indexHead()).toBe(commits);
    const large = scenario.acks.filter((ack) => ack.large === true);
    expect(large.length).toBe(3 * 7);
    expect(large.filter((ack) => shared.includes(ack.streamId)).length).toBeGreaterThan(0);
    // Each split commit is one index entry naming all of its items.
    const { splitCommits, problems } = await splitCommitProblems(scenario.parent.client, scenario.tables.events);
    expect(problems).toEqual([]);
    expect(splitCommits).toBe(large.length);
    const lengths = await replayedNoteLengths(scenario.parent.store, large);
    expect(lengths.size).toBe(large.length * LARGE.events);
    expect([...lengths.values()].every((length) => length === LARGE.eventBytes)).toBe(true);
    console.log(`${commits} commits, ${splitCommits} of them split (${LARGE.events} x ${LARGE.eventBytes / 1000} KB events), from 3 processes`);
  }, 180_000);

  it('a writer process with its clock 5 s behind and one 5 s ahead: no commit missed, and the feed keeps the order in which commits were acknowledged one after the other', async () => {
    const scenario = await feedScenario('mp-clocks', cleanups);
    const { group } = scenario;
    const indexer = startIndexer(scenario, 'indexer', {});
    const follower = group.start('follower', 'follower', { FEED_TABLES: JSON.stringify(scenario.tables) });
    const clocks = { behind: -5000, ahead: 5000, true: 0 } as const;
    const writers = Object.entries(clocks).map(([id, skew]) =>
      startWriter(
        scenario,
        // Each writes its own streams at a steady pace the whole time, besides the chained commits below.
        { id, streams: Array.from({ length: 20 }, (_, i) => `clock-${id}-${i}`), commitsPerSecond: 25, concurrency: 2, seed: 7 * (skew + 10_000) },
        { clockSkewMs: skew },
      ),
    );
    const handled = new HandledLog();
    follower.on('handled', (message) => handled.add(message.events));
    await ready(scenario, indexer, follower, ...writers);
    // The skew is real in each writer (it reports Date.now() against the machine's clock).
    writers.forEach((writer, w) => expect(Math.abs(writer.all('ready')[0]!.clockSkewMs - Object.values(clocks)[w]!)).toBeLessThan(1000));
    await group.waitForMessage(follower, 'live', 'the projection is live', 30_000);
    for (const writer of writers) writer.send({ type: 'go' });
    // Not before the indexer reads the stream: had it found commits in the table when it started, it reconciled first, and a
    // reconciliation orders commits across streams by their commit times (0.3's order), which the chain below must not meet.
    await indexingFromStream(scenario);

    // A chain of commits, each requested only once the one before was acknowledged, taking turns among the writers:
    // causally ordered, whatever their clocks say. A feed ordered by the writers' clocks would put the ahead writer's 5 s late.
    const chain: Ack[] = [];
    for (let round = 0, id = 0; round < 40; round++) {
      for (let turn = 0; turn < writers.length; turn++) {
        const writer = writers[(round + turn) % writers.length]!;
        writer.send({ type: 'write', id: ++id, streamId: `chain-${writer.name.split(' ')[1]}-${round % 4}`, events: 1 + (round % 2) });
        chain.push((await group.waitForMessage(writer, 'written', 'a chained commit was acknowledged', 30_000, (message) => message.id === id)).ack);
      }
    }
    const commits = await stopWriters(scenario, writers);

    await indexReaches(scenario, commits);
    expect(await feedProblems(scenario)).toEqual([]);
    const expected = lastVersions(scenario.acks);
    await group.waitUntil("the projection has handled every stream's last event", () => handled.reached(expected), 60_000);
    expect(deliveryProblems(handled.events, expected, 'at-least-once')).toEqual([]);

    // The chain's order in the index, and in what the projection handled. This holds on a stream of one shard (DynamoDB
    // Local's): across shards the indexer could take a later commit a poll ahead of an earlier one on another shard.
    const shards = await streamShards(scenario.parent.client, scenario.tables.events);
    const key = (ack: Ack) => `${ack.streamId}@${ack.version}`;
    const positions = new Map((await indexedCommits(scenario.parent.client, scenario.tables.events)).map((commit) => [`${commit.streamId}@${commit.version}`, commit.position]));
    // All of them indexed from the stream (see indexingFromStream above).
    const reconciled = (await indexBatches(scenario.parent.client, scenario.tables.events)).filter((batch) => batch.checkpoint.reconciling === true);
    expect(chain.filter((ack) => reconciled.some((batch) => batch.position <= positions.get(key(ack))! && positions.get(key(ack))! <= batch.lastPosition))).toEqual([]);
    const firstHandled = new Map<string, number>();
    handled.events.forEach(([streamId, version], i) => firstHandled.has(`${streamId}@${version}`) || firstHandled.set(`${streamId}@${version}`, i));
    const outOfOrder = (order: Map<string, number>) =>
      chain.slice(1).flatMap((ack, i) => {
        const before = chain[i]!;
        return order.get(key(before))! < order.get(key(ack))! ? [] : [`${before.writer}'s ${key(before)} is not before ${ack.writer}'s ${key(ack)}`];
      });
    if (shards === 1) {
      expect(outOfOrder(positions)).toEqual([]);
      expect(outOfOrder(firstHandled)).toEqual([]);
    } else {
      console.log(`The stream has ${shards} shards: the chain's order is not checked (it holds only within one shard).`);
    }

    const latency = Object.keys(clocks).map((id) => {
      const { p50, p99, max } = percentiles(deliveryLatencies(scenario.acks.filter((ack) => ack.writer === id), handled.events));
      return `${id} ${p50}/${p99}/${max}`;
    });
    console.log(`${commits} commits (${chain.length} chained); acknowledgement to projection handler p50/p99/max ms by writer clock: ${latency.join(', ')} (for information, not asserted)`);
  }, 180_000);
});
