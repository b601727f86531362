import { describe, expect, it } from '@jest/globals';
import type { IndexedCommit } from '../index/indexed-commit.js';
import { checkpointOf, convertLegacyPosition, type FedCommit, type IndexedCommitSource, type PlacedCommit } from './checkpoint-converter.js';
import { parseLegacyCheckpoint, placeCommit, type LegacyCheckpoint } from './legacy-checkpoint.js';

/** An index held in memory (commits in 0.3's feed unless `fed: false`); counts the commit times read. */
class ArraySource implements IndexedCommitSource {
  reads = 0;
  constructor(
    private readonly commits: ReadonlyArray<{ commit: IndexedCommit; at: number; fed?: boolean }>,
    readonly sortedThrough: number,
  ) {}
  async commitAt(position: number): Promise<PlacedCommit> {
    this.reads++;
    const { commit, at } = this.commits[position - 1]!;
    return { position, commit, at };
  }
  async *commitsFrom(position: number): AsyncGenerator<FedCommit> {
    for (let p = position; p <= this.commits.length; p++) {
      this.reads++;
      const { commit, at, fed = true } = this.commits[p - 1]!;
      yield { position: p, commit, at, fed };
    }
  }
}

/** A deterministic pseudo-random generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Event {
  readonly at: number;
  readonly streamId: string;
  readonly version: number;
}

/** 0.3's order of events: (commit time, stream id, version). */
const compareEvents = (a: Event, b: Event) => a.at - b.at || (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0) || a.version - b.version;
const atOrBefore = (event: Event, checkpoint: LegacyCheckpoint) =>
  checkpoint.streamId === undefined ? event.at <= checkpoint.at : compareEvents(event, { at: checkpoint.at, streamId: checkpoint.streamId, version: checkpoint.version! }) <= 0;

/** Commits of a few streams, several events each at times, with times shared across streams (0.3 stamped per writer's clock, increasing per stream). */
function commitsOf(next: () => number, count: number): Array<{ commit: IndexedCommit; at: number }> {
  const streams = ['a', 'b', 'b-2', 'c', 'é'];
  const heads = new Map<string, { version: number; at: number }>();
  const commits: Array<{ commit: IndexedCommit; at: number }> = [];
  let clock = 1_000;
  for (let i = 0; i < count; i++) {
    clock += Math.floor(next() * 3); // several commits share a millisecond
    const streamId = streams[Math.floor(next() * streams.length)]!;
    const head = heads.get(streamId) ?? { version: 0, at: 0 };
    const at = Math.max(clock, head.at + 1);
    const events = 1 + Math.floor(next() * 3);
    const version = head.version + 1;
    const slices = events === 3 && next() < 0.5 ? [version + 2] : undefined; // a commit split over items
    commits.push({ commit: slices === undefined ? { streamId, version, commitEnd: version + events - 1 } : { streamId, version, commitEnd: version + events - 1, slices }, at });
    heads.set(streamId, { version: version + events - 1, at });
  }
  return commits.sort((x, y) => compareEvents({ ...x.commit, at: x.at }, { ...y.commit, at: y.at }));
}

/** Every event of the commits in index order, with its position. */
const eventsOf = (commits: ReadonlyArray<{ commit: IndexedCommit; at: number }>) =>
  commits.flatMap(({ commit, at }, i) => Array.from({ length: commit.commitEnd - commit.version + 1 }, (_, k) => ({ position: i + 1, at, streamId: commit.streamId, version: commit.version + k, commitEnd: commit.commitEnd })));

/** The checkpoints 0.3 could have saved: after each event, each millisecond, and names between. */
function checkpointsFor(commits: ReadonlyArray<{ commit: IndexedCommit; at: number }>): LegacyCheckpoint[] {
  const checkpoints: LegacyCheckpoint[] = [{ at: 0 }, { at: 999 }, { at: 1_000_000 }];
  for (const event of eventsOf(commits)) {
    checkpoints.push({ at: event.at }, { at: event.at - 1 }, { at: event.at, streamId: event.streamId, version: event.version });
    checkpoints.push({ at: event.at, streamId: `${event.streamId}-`, version: 1 }, { at: event.at, streamId: event.streamId.slice(0, -1), version: 99 });
  }
  return checkpoints;
}

describe('parseLegacyCheckpoint', () => {
  it('reads both forms of 0.3 checkpoints, stream ids with colons included, and nothing else', () => {
    expect(parseLegacyCheckpoint('1735689600000')).toEqual({ at: 1735689600000 });
    expect(parseLegacyCheckpoint('1735689600000:3:acc-1')).toEqual({ at: 1735689600000, version: 3, streamId: 'acc-1' });
    expect(parseLegacyCheckpoint('1735689600000:3:order:a:b')).toEqual({ at: 1735689600000, version: 3, streamId: 'order:a:b' });
    for (const other of ['f0a1b2c3d:12', 'f0a1b2c3d:12:3', '', 'abc', '12:0:acc', '12:3', '12345678901234567']) expect(parseLegacyCheckpoint(other)).toBeUndefined();
  });
});

describe('placeCommit', () => {
  const commit: IndexedCommit = { streamId: 'b', version: 4, commitEnd: 6 };
  it('places a commit against a time, and against an event of its own stream or of others', () => {
    expect(placeCommit(commit, 10, { at: 10 })).toEqual({ kind: 'covered' });
    expect(placeCommit(commit, 10, { at: 9 })).toEqual({ kind: 'after' });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'a', version: 99 })).toEqual({ kind: 'after' });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'c', version: 1 })).toEqual({ kind: 'covered' });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'b', version: 3 })).toEqual({ kind: 'after' });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'b', version: 4 })).toEqual({ kind: 'partial', version: 4 });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'b', version: 5 })).toEqual({ kind: 'partial', version: 5 });
    expect(placeCommit(commit, 10, { at: 10, streamId: 'b', version: 6 })).toEqual({ kind: 'covered' });
    expect(placeCommit(commit, 11, { at: 10, streamId: 'z', version: 1 })).toEqual({ kind: 'after' });
  });
});

describe('convertLegacyPosition', () => {
  it('on an index in 0.3 order, resumes exactly after the event or millisecond the 0.3 checkpoint named', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const commits = commitsOf(random(seed), 40);
      const events = eventsOf(commits);
      for (const checkpoint of checkpointsFor(commits)) {
        const source = new ArraySource(commits, commits.length);
        const converted = await convertLegacyPosition(checkpoint, source);
        // What a reader resuming at the converted position gets: exactly the events after the checkpoint.
        const delivered = events.filter((e) => e.position > converted.position || (e.position === converted.position && converted.version !== undefined && e.version > converted.version));
        expect(delivered).toEqual(events.filter((e) => !atOrBefore(e, checkpoint)));
        expect(source.reads).toBeLessThanOrEqual(Math.ceil(Math.log2(commits.length + 1)) + 1);
        if (converted.version !== undefined) expect(converted.version).toBeLessThan(commits[converted.position - 1]!.commit.commitEnd);
      }
    }
  });

  it('past the sorted part, or without one, never skips a commit the checkpoint does not cover, nor one 0.3 readers never saw', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const next = random(seed);
      const sorted = commitsOf(next, 40);
      const sortedThrough = Math.floor(next() * 41);
      // Commits indexed after the migration, out of 0.3's order (a stream's own order kept: only streams interleave differently).
      const tail = sorted.slice(sortedThrough);
      for (let i = tail.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        if (tail[i]!.commit.streamId !== tail[j]!.commit.streamId) [tail[i], tail[j]] = [tail[j]!, tail[i]!];
      }
      // Some written by 0.4 writers during the upgrade: never in 0.3's feed, whatever their time.
      const commits = [...sorted.slice(0, sortedThrough), ...tail.map((entry) => ({ ...entry, fed: next() < 0.8 }))];
      const fed = (e: { position: number }) => (commits[e.position - 1] as { fed?: boolean }).fed !== false;
      const events = eventsOf(commits);
      for (const checkpoint of checkpointsFor(commits)) {
        const converted = await convertLegacyPosition(checkpoint, new ArraySource(commits, sortedThrough));
        const skipped = events.filter((e) => e.position < converted.position || (e.position === converted.position && (converted.version === undefined || e.version <= converted.version)));
        expect(skipped.every((e) => fed(e) && atOrBefore(e, checkpoint))).toBe(true);
        // And the run is as long as it can be: the next event is not one the 0.3 reader handled.
        const following = events[skipped.length];
        if (following !== undefined) expect(fed(following) && atOrBefore(following, checkpoint)).toBe(false);
      }
    }
  });

  it('gives FEED_START before the first commit, and checkpoints of the index otherwise', () => {
    expect(checkpointOf('f0123abcd', { position: 0 })).toBe('0');
    expect(checkpointOf('f0123abcd', { position: 7 })).toBe('f0123abcd:7');
    expect(checkpointOf('f0123abcd', { position: 7, version: 3 })).toBe('f0123abcd:7:3');
  });
});
