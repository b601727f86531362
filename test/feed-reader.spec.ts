import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { lastValueFrom, toArray } from 'rxjs';
import { EVENT_SOURCING_RUNTIME } from '../lib/dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { createFeedReader, type FeedPage } from '../lib/feed/feed-reader.js';
import { FeedIndexTable } from '../lib/feed/index/feed-index-table.js';
import type { IndexedCommit } from '../lib/feed/index/indexed-commit.js';
import { EventItemAttribute as A } from '../lib/tables/events-table.js';
import {
  EventStoreErrorCode,
  FEED_START,
  FeedCheckpointMismatchError,
  InvalidArgumentError,
  StreamIntegrityError,
  type FeedCheckpoint,
  type FeedEvent,
  type ReplayAllOptions,
} from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { AccountOpened, deposits, MoneyDeposited } from './support/events.js';
import { RequestTap } from './support/fault-injection.js';

/**
 * The feed reader on an index this test writes itself (no indexer runs: `feed: { indexer: false }`),
 * so that what the index holds, and in which order, is exactly what each test says.
 */
const ids = (events: readonly FeedEvent[]): string[] => events.map((e) => `${e.streamId}@${e.version}`);

interface IndexedApp {
  readonly app: EventStoreApp;
  readonly runtime: EventSourcingRuntime;
  readonly index: FeedIndexTable;
  readonly indexId: string;
  /** Counts and alters the app's requests (one per client: the SDK takes a middleware name once). */
  readonly tap: RequestTap;
  /** Writes the commits as the next batch of the index (one position each). */
  write(...commits: IndexedCommit[]): Promise<void>;
  /** Writes a batch at `position`, whatever the index holds (for holes). */
  writeAt(position: number, ...commits: IndexedCommit[]): Promise<void>;
  /** Appends to the table (not to the index) and returns the commit as an indexer would index it. */
  commit(streamId: string, events: object[], expectedVersion: number | 'no-stream'): Promise<IndexedCommit>;
  replayAll(options: ReplayAllOptions): Promise<FeedEvent[]>;
  pages(options: ReplayAllOptions): Promise<FeedPage[]>;
  close(): Promise<void>;
}

async function indexedApp(label: string, withMeta = true): Promise<IndexedApp> {
  const app = await createEventStoreApp(label, { feed: { indexer: false } });
  const runtime = app.module.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME);
  const index = new FeedIndexTable(runtime.client, app.tableName, runtime.options.retry);
  const indexId = withMeta ? (await index.ensureMeta()).indexId : '';
  let next = 1;
  const writeAt = async (position: number, ...commits: IndexedCommit[]) => {
    const written = await index.append({ position, lastPosition: position + commits.length - 1, commits, checkpoint: { shards: {} }, writtenAt: Date.now() });
    expect(written).toBe(true);
  };
  return {
    app,
    runtime,
    index,
    indexId,
    tap: new RequestTap(runtime.client),
    async write(...commits) {
      await writeAt(next, ...commits);
      next += commits.length;
    },
    writeAt,
    async commit(streamId, events, expectedVersion) {
      const result = await app.store.append(streamId, events, { expectedVersion });
      return commitOf(runtime, app.tableName, streamId, result.version - events.length + 1);
    },
    replayAll: (options) => lastValueFrom(app.store.replayAll$(options).pipe(toArray())),
    pages: (options) => collect(createFeedReader(runtime).pages(options)),
    close: () => app.close(),
  };
}

/** The commit starting at `version`, with the first versions of its other items when it is split (read from the table). */
async function commitOf(runtime: EventSourcingRuntime, tableName: string, streamId: string, version: number): Promise<IndexedCommit> {
  const { Items = [] } = await runtime.client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: '#s = :s AND #v >= :v',
      ExpressionAttributeNames: { '#s': A.streamId, '#v': A.version },
      ExpressionAttributeValues: { ':s': { S: streamId }, ':v': { N: String(version) } },
      ConsistentRead: true,
    }),
  );
  const first = Items[0]!;
  const commitEnd = Number((first[A.commitLastVersion] ?? first[A.lastVersion])!.N);
  const slices = Items.slice(1)
    .map((item) => Number(item[A.version]!.N))
    .filter((v) => v <= commitEnd);
  return slices.length === 0 ? { streamId, version, commitEnd } : { streamId, version, commitEnd, slices };
}

describe('FeedReader on the feed index', () => {
  let t: IndexedApp;
  beforeAll(async () => {
    t = await indexedApp('feed-reader');
  });
  afterAll(() => t.close());

  describe('a small index', () => {
    const run = `r${Date.now()}`;
    const [a, b, c] = ['a', 'b', 'c'].map((s) => `${run}-${s}`);
    let commits: IndexedCommit[];
    beforeAll(async () => {
      const a1 = await t.commit(a!, [new AccountOpened(a!, 'ann'), ...deposits(a!, 2)], 'no-stream');
      const b1 = await t.commit(b!, [new AccountOpened(b!, 'bob')], 'no-stream');
      const c1 = await t.commit(c!, [new AccountOpened(c!, 'cy'), ...deposits(c!, 1)], 'no-stream');
      const a2 = await t.commit(a!, deposits(a!, 2, 0, 10), 3);
      const b2 = await t.commit(b!, deposits(b!, 3), 1);
      // Indexed in another order than committed (as an indexer may take commits of different streams).
      commits = [c1, a1, b1, b2, a2];
      await t.write(c1, a1);
      await t.write(b1);
      await t.write(b2, a2);
    });

    it('delivers every commit in index order, each stream in version order, with position checkpoints', async () => {
      const events = await t.replayAll({ pageSize: 100 });
      expect(ids(events)).toEqual([`${c}@1`, `${c}@2`, `${a}@1`, `${a}@2`, `${a}@3`, `${b}@1`, `${b}@2`, `${b}@3`, `${b}@4`, `${a}@4`, `${a}@5`]);
      const i = t.indexId;
      expect(events.map((e) => e.checkpoint)).toEqual([`${i}:1:1`, `${i}:1`, `${i}:2:1`, `${i}:2:2`, `${i}:2`, `${i}:3`, `${i}:4:2`, `${i}:4:3`, `${i}:4`, `${i}:5:4`, `${i}:5`]);
      expect(commits).toHaveLength(5);
    });

    it('resumes exactly after any checkpoint, also inside a commit and inside a batch', async () => {
      const all = await t.replayAll({ pageSize: 3 });
      for (let cut = 0; cut < all.length; cut++) {
        expect(ids(await t.replayAll({ pageSize: 3, from: all[cut]!.checkpoint }))).toEqual(ids(all.slice(cut + 1)));
      }
    });

    it('pages at most pageSize events (or one larger commit), and ends with an empty caught-up page at the head', async () => {
      const sizes = (pages: FeedPage[]) => pages.map((page) => page.events.length);
      expect(sizes(await t.pages({ pageSize: 1 }))).toEqual([2, 3, 1, 3, 2, 0]);
      expect(sizes(await t.pages({ pageSize: 4 }))).toEqual([2, 4, 3, 2, 0]); // never part of a commit
      const pages = await t.pages({ pageSize: 5 });
      expect(sizes(pages)).toEqual([5, 4, 2, 0]);
      expect(pages.map((p) => [p.position, p.caughtUp, p.headPosition])).toEqual([
        [2, false, 5],
        [4, false, 5],
        [5, false, 5],
        [5, true, 5],
      ]);
      expect(pages.at(-1)!.checkpoint).toBe(`${t.indexId}:5`);
    });

    it('filters on the index by stream prefix (nothing fetched for other streams) and by event type; the caught-up checkpoint covers what was filtered out', async () => {
      const { tap } = t;
      const keys: number[] = [];
      tap.rewrite('BatchGetItemCommand', (input) => keys.push(...Object.values(input.RequestItems as Record<string, { Keys: unknown[] }>).map((r) => r.Keys.length)));
      let caughtUp: FeedCheckpoint | undefined;
      const onlyB = await t.replayAll({ pageSize: 100, streamPrefix: b, onCaughtUp: (checkpoint) => (caughtUp = checkpoint) });
      expect(ids(onlyB)).toEqual([1, 2, 3, 4].map((v) => `${b}@${v}`));
      expect(keys).toEqual([2]); // b's two commits, nothing of a's or c's
      expect(caughtUp).toBe(`${t.indexId}:5`); // past a2, filtered out after b's last commit
      expect(await t.replayAll({ pageSize: 100, streamPrefix: b, from: caughtUp })).toEqual([]);
      const opened = await t.replayAll({ pageSize: 100, eventTypes: [AccountOpened] });
      expect(ids(opened)).toEqual([`${c}@1`, `${a}@1`, `${b}@1`]);
      tap.reset();
    });

    it('reads up to the head it found when it started: commits indexed during the read are left for the next one', async () => {
      const stream = `${run}-late`;
      const late = await t.commit(stream, [new AccountOpened(stream, 'dan')], 'no-stream');
      let caughtUp: FeedCheckpoint | undefined;
      const delivered: FeedEvent[] = [];
      for await (const page of createFeedReader(t.runtime).pages({ pageSize: 3 })) {
        if (delivered.length === 0) await t.write(late); // indexed after the read started
        delivered.push(...page.events);
        if (page.caughtUp) caughtUp = page.checkpoint;
      }
      expect(ids(delivered)).not.toContain(`${stream}@1`);
      expect(caughtUp).toBe(`${t.indexId}:5`);
      expect(ids(await t.replayAll({ pageSize: 3, from: caughtUp }))).toEqual([`${stream}@1`]);
      const reader = createFeedReader(t.runtime);
      expect(await reader.hasNewer(caughtUp!)).toBe(true);
      expect(await reader.hasNewer(`${t.indexId}:6`)).toBe(false);
    });
  });

  it('delivers a commit split over several items (over 400 KB) whole, by the item keys the index lists or by a Query when it lists none', async () => {
    const [listed, unlisted, small] = ['listed', 'unlisted', 'small'].map((s) => `big-${Date.now()}-${s}`);
    const big = (stream: string) => deposits(stream, 30, 30_000); // about 900 KB: three items in one transaction
    const withSlices = await t.commit(listed!, big(listed!), 'no-stream');
    expect(withSlices.slices).toHaveLength(2);
    const split = await t.commit(unlisted!, big(unlisted!), 'no-stream');
    const withoutSlices = { streamId: split.streamId, version: split.version, commitEnd: split.commitEnd };
    const smallOne = await t.commit(small!, deposits(small!, 2), 'no-stream');
    await t.write(withSlices, smallOne, withoutSlices);
    for (const stream of [listed!, unlisted!]) {
      const events = await t.replayAll({ pageSize: 5, streamPrefix: stream });
      expect(events.map((e) => e.version)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(events.map((e) => (e.event as MoneyDeposited).amount)).toEqual(big(stream).map((e) => e.amount));
      const rest = await t.replayAll({ pageSize: 5, streamPrefix: stream, from: events[11]!.checkpoint });
      expect(rest.map((e) => e.version)).toEqual(Array.from({ length: 18 }, (_, i) => i + 13));
    }
  });

  it('reads on strongly when an eventually consistent answer lags behind the head', async () => {
    const stream = `lag-${Date.now()}`;
    const commits: IndexedCommit[] = [];
    for (let v = 1; v <= 6; v++) commits.push(await t.commit(stream, deposits(stream, 1, 0, v), v === 1 ? 'no-stream' : v - 1));
    for (const commit of commits) await t.write(commit);
    const { tap } = t;
    const consistency: boolean[] = [];
    let dropped = 0;
    tap.rewrite('QueryCommand', (input) => {
      if ((input.ExpressionAttributeValues as Record<string, { S?: string }>)[':s']?.S === '$$feed') consistency.push(input.ConsistentRead === true);
      else consistency.push(true); // not the index: leave its answer alone
    });
    // A replica that has not got the latest batches yet: each eventually consistent answer of the index lacks its last batch.
    tap.alterResponses('QueryCommand', (output) => {
      const consistent = consistency.shift();
      const items = output.Items as unknown[] | undefined;
      if (consistent === false && items !== undefined && items.length > 0) {
        items.pop();
        dropped++;
      }
    });
    try {
      const events = await t.replayAll({ pageSize: 2, streamPrefix: stream });
      expect(ids(events)).toEqual([1, 2, 3, 4, 5, 6].map((v) => `${stream}@${v}`));
      expect(dropped).toBeGreaterThan(0);
    } finally {
      tap.reset();
    }
  });

  it('refuses a checkpoint past the index head: it was not given by this feed', async () => {
    await expect(t.replayAll({ pageSize: 10, from: `${t.indexId}:999999` })).rejects.toMatchObject({ code: EventStoreErrorCode.INVALID_CHECKPOINT });
  });

  it('refuses a 0.3 checkpoint at once, naming the command that converts it', () => {
    for (const from of ['1760000000000', '1760000000000:3:account-1']) {
      let thrown: unknown;
      try {
        t.app.store.replayAll$({ pageSize: 10, from });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(FeedCheckpointMismatchError);
      expect(thrown).toMatchObject({ code: EventStoreErrorCode.FEED_CHECKPOINT_MISMATCH, reason: 'outdated', checkpoint: from });
      expect((thrown as Error).message).toContain('nestjs-dynamo-es feed migrate');
    }
    expect(() => t.app.store.replayAll$({ pageSize: 10, from: 'f1234:1' })).toThrow(InvalidArgumentError);
  });

  describe('on other tables', () => {
    const others: IndexedApp[] = [];
    afterAll(() => Promise.all(others.map((other) => other.close())));
    const other = async (label: string, withMeta = true) => {
      const created = await indexedApp(label, withMeta);
      others.push(created);
      return created;
    };

    it('reads nothing, caught up at FEED_START, from a table whose index no indexer has created yet', async () => {
      const empty = await other('feed-reader-empty', false);
      await empty.app.store.append('s', [new AccountOpened('s', 'x')], { expectedVersion: 'no-stream' });
      let caughtUp: FeedCheckpoint | undefined;
      expect(await empty.replayAll({ pageSize: 10, onCaughtUp: (checkpoint) => (caughtUp = checkpoint) })).toEqual([]);
      expect(caughtUp).toBe(FEED_START);
      // A checkpoint of some index cannot be resumed on a table that has none.
      await expect(empty.replayAll({ pageSize: 10, from: `${t.indexId}:1` })).rejects.toBeInstanceOf(FeedCheckpointMismatchError);
    });

    it('refuses a checkpoint of another table\'s index with a typed error', async () => {
      const second = await other('feed-reader-second');
      const commit = await second.commit('s', [new AccountOpened('s', 'x')], 'no-stream');
      await second.write(commit);
      const [event] = await second.replayAll({ pageSize: 10 });
      const error = await t.replayAll({ pageSize: 10, from: event!.checkpoint }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FeedCheckpointMismatchError);
      expect(error).toMatchObject({ reason: 'other-index', checkpoint: event!.checkpoint });
      expect((error as Error).message).toContain(t.indexId);
    });

    it('fails with StreamIntegrityError on an index entry the table does not hold, or not as the index says', async () => {
      const broken = await other('feed-reader-missing');
      const real = await broken.commit('s', deposits('s', 2), 'no-stream');
      await broken.write(real);
      await broken.write({ streamId: 'gone', version: 1, commitEnd: 1 });
      const error = await broken.replayAll({ pageSize: 10 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamIntegrityError);
      expect(error).toMatchObject({ streamId: 'gone', code: EventStoreErrorCode.STREAM_INTEGRITY });
      expect((error as Error).message).toMatch(/position 2.*does not hold/);
      // The read stops at the broken entry; a read that filters it out still reads the rest.
      expect(ids(await broken.replayAll({ pageSize: 10, streamPrefix: 's' }))).toEqual(['s@1', 's@2']);

      const wrong = await other('feed-reader-wrong');
      await wrong.commit('w', deposits('w', 3), 'no-stream');
      await wrong.write({ streamId: 'w', version: 1, commitEnd: 2 }); // the commit holds versions 1-3
      await expect(wrong.replayAll({ pageSize: 10 })).rejects.toMatchObject({ streamId: 'w', message: expect.stringMatching(/versions 1-2 \(position 1\).*versions 1-3/) });
    });

    it('fails with StreamIntegrityError when the index skips or repeats versions of a stream, naming both positions', async () => {
      const skipping = await other('feed-reader-skip');
      const v1 = await skipping.commit('s', deposits('s', 1), 'no-stream');
      await skipping.commit('s', deposits('s', 1), 1);
      const v3 = await skipping.commit('s', deposits('s', 1), 2);
      await skipping.write(v1, v3);
      await expect(skipping.replayAll({ pageSize: 10 })).rejects.toMatchObject({
        streamId: 's',
        details: { problem: 'gap', version: 2 },
        message: expect.stringMatching(/position 2.*position 1.*versions 2-2 are missing/),
      });

      const repeating = await other('feed-reader-repeat');
      const once = await repeating.commit('r', deposits('r', 2), 'no-stream');
      await repeating.write(once, once);
      await expect(repeating.replayAll({ pageSize: 10 })).rejects.toMatchObject({ streamId: 'r', details: { problem: 'overlap', version: 1 } });
    });

    it('fails with StreamIntegrityError on a hole in the index positions', async () => {
      const holed = await other('feed-reader-hole');
      const commits: IndexedCommit[] = [];
      for (let i = 0; i < 4; i++) commits.push(await holed.commit(`h${i}`, deposits(`h${i}`, 1), 'no-stream'));
      await holed.writeAt(1, commits[0]!, commits[1]!);
      await holed.writeAt(4, commits[3]!); // position 3 was never written
      const error = await holed.replayAll({ pageSize: 10 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StreamIntegrityError);
      expect(error).toMatchObject({ streamId: '$$feed', details: { problem: 'gap', version: 3 } });
    });
  });
});
