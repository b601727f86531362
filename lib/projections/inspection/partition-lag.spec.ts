import { describe, expect, it } from '@jest/globals';
import type { IndexBatch } from '../../feed/index/index-batch.js';
import type { IndexedCommit } from '../../feed/index/indexed-commit.js';
import { partitionOf } from '../partitions/stream-partition.js';
import { partitionLag } from './partition-lag.js';

const batch = (position: number, writtenAt: number, ...commits: IndexedCommit[]): IndexBatch => ({
  position,
  lastPosition: position + commits.length - 1,
  commits,
  checkpoint: { shards: {} },
  writtenAt,
});

// Two stream ids that fall in different partitions of 2, found rather than assumed.
const streams = Array.from({ length: 20 }, (_, i) => `s-${i}`);
const inZero = streams.find((s) => partitionOf(s, 2) === 0)!;
const inOne = streams.find((s) => partitionOf(s, 2) === 1)!;

describe('partitionLag', () => {
  const batches = [
    batch(1, 1_000, { streamId: inZero, version: 1, commitEnd: 3 }, { streamId: inOne, version: 1, commitEnd: 1 }),
    batch(3, 2_000, { streamId: inZero, version: 4, commitEnd: 4 }, { streamId: inOne, version: 2, commitEnd: 5 }),
  ];

  it('counts positions, events of the partition and the age of the first commit not handled', () => {
    expect(partitionLag({ position: 0 }, 4, batches, { index: 0, count: 2 }, 5_000, true)).toEqual({ commits: 4, events: 4, eventsLowerBound: false, ms: 4_000 });
    expect(partitionLag({ position: 0 }, 4, batches, { index: 1, count: 2 }, 5_000, true)).toEqual({ commits: 4, events: 5, eventsLowerBound: false, ms: 4_000 });
  });

  it('starts after the checkpoint; a checkpoint inside a commit leaves the rest of it', () => {
    expect(partitionLag({ indexId: 'f00000000', position: 2 }, 4, batches, { index: 0, count: 2 }, 5_000, true)).toEqual({ commits: 2, events: 1, eventsLowerBound: false, ms: 3_000 });
    expect(partitionLag({ indexId: 'f00000000', position: 1, version: 1 }, 4, batches, { index: 0, count: 2 }, 5_000, true)).toMatchObject({ commits: 4, events: 3, ms: 4_000 });
  });

  it('is zero when caught up, and never negative in time (clock skew)', () => {
    expect(partitionLag({ indexId: 'f00000000', position: 4 }, 4, batches, { index: 0, count: 2 }, 5_000, true)).toEqual({ commits: 0, events: 0, eventsLowerBound: false, ms: 0 });
    expect(partitionLag({ indexId: 'f00000000', position: 3 }, 4, batches, { index: 1, count: 2 }, 1_000, true).ms).toBe(0);
  });

  it('says when the events are a lower bound: the batches read stop before the head', () => {
    expect(partitionLag({ position: 0 }, 4, batches.slice(0, 1), { index: 1, count: 2 }, 5_000, false)).toEqual({ commits: 4, events: 1, eventsLowerBound: true, ms: 4_000 });
  });

  it('one partition: every stream counts', () => {
    expect(partitionLag({ position: 0 }, 4, batches, { index: 0, count: 1 }, 5_000, true).events).toBe(9);
  });
});
