import { afterEach, describe, expect, it } from '@jest/globals';
import { deliveryLatencies, deliveryProblems, HandledLog, lastVersions, percentiles, replayEverything } from './support/feed-processes/feed-checks.js';
import { feedScenario, indexReaches, indexerState, ready, startIndexer, startWriter } from './support/feed-processes/feed-scenario.js';
import { indexProblems } from './support/raw-commits.js';

const WRITERS = 4;
const STREAMS_PER_WRITER = 250;
const EVENTS_PER_STREAM = 20;
const TOTAL_EVENTS = WRITERS * STREAMS_PER_WRITER * EVENTS_PER_STREAM;

describe('The feed across processes: writers, the in-app indexer and a projection each in a process of their own (DynamoDB Local, real Streams)', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(
    `${WRITERS * STREAMS_PER_WRITER} streams x ${EVENTS_PER_STREAM} events from ${WRITERS} writer processes: the index holds each commit once, ` +
      'replayAll$ delivers every event exactly once in each stream’s order, and a live projection in a fifth process gets them all while they are written',
    async () => {
      const startedAt = Date.now();
      const phases: string[] = [];
      const phase = (name: string) => phases.push(`${name} ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
      const scenario = await feedScenario('mp-scale', cleanups);
      const { group, parent, tables, acks } = scenario;

      // The indexer with the module's defaults (`feed: {}`), alone in its process.
      const indexer = startIndexer(scenario, 'indexer', {});
      const follower = group.start('follower', 'follower', { FEED_TABLES: JSON.stringify(tables) });
      const writers = Array.from({ length: WRITERS }, (_, w) =>
        startWriter(scenario, {
          id: `w${w}`,
          streams: Array.from({ length: STREAMS_PER_WRITER }, (_, i) => `scale-${w}-${i}`),
          eventsPerStream: EVENTS_PER_STREAM,
          // About 2,600 commits each, 1 to 3 events a commit: paced, so that the indexer, the follower and DynamoDB Local
          // keep a share of the 2 cores (on a busy machine they go slower than this).
          commitsPerSecond: 70,
          concurrency: 4,
          seed: w + 1,
        }),
      );
      const handled = new HandledLog();
      follower.on('handled', (message) => handled.add(message.events));

      await ready(scenario, indexer, follower, ...writers);
      await group.waitForMessage(follower, 'live', 'the projection is live', 30_000);
      await indexerState(scenario, indexer, 'indexing');
      phase('processes up');

      for (const writer of writers) writer.send({ type: 'go' });
      await group.waitUntil('every writer has written its plan', () => writers.every((writer) => writer.all('done').length > 0), 300_000);
      phase('written');
      const deliveredWhileWriting = handled.distinct();
      const commits = writers.reduce((sum, writer) => sum + writer.all('done')[0]!.commits, 0);
      expect(writers.reduce((sum, writer) => sum + writer.all('done')[0]!.events, 0)).toBe(TOTAL_EVENTS);

      await indexReaches(scenario, commits);
      phase('indexed');
      expect(await indexProblems(parent.client, tables.events)).toEqual([]);
      expect(await parent.indexHead()).toBe(commits);

      const expected = lastVersions(acks);
      expect(expected.size).toBe(WRITERS * STREAMS_PER_WRITER);
      expect([...expected.values()].every((last) => last === EVENTS_PER_STREAM)).toBe(true);
      const replayed = await replayEverything(parent.store);
      phase('replayed');
      expect(replayed).toHaveLength(TOTAL_EVENTS);
      expect(deliveryProblems(replayed, expected, 'exactly-once')).toEqual([]);

      await group.waitUntil("the projection has handled every stream's last event", () => handled.reached(expected), 60_000);
      phase('projected');
      expect(deliveryProblems(handled.events, expected, 'at-least-once')).toEqual([]);
      // Live: it handled commits while the writers were still writing, not only once they were done.
      expect(deliveredWhileWriting).toBeGreaterThan(0);

      const latency = percentiles(deliveryLatencies(acks, handled.events));
      console.log(
        `${commits} commits (${TOTAL_EVENTS} events) from ${WRITERS} processes, indexed in another, projected in a fifth: ` +
          `${deliveredWhileWriting} events handled while the writers wrote; acknowledgement to projection handler ` +
          `p50 ${latency.p50} ms, p90 ${latency.p90} ms, p99 ${latency.p99} ms, max ${latency.max} ms (for information, not asserted). ` +
          `Time line: ${phases.join(', ')}.`,
      );
    },
    420_000,
  );
});
