import { describe, expect, it } from '@jest/globals';
import { FeedCheckpointMismatchError } from '../errors/feed-checkpoint-mismatch.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { checkpointsOfCommit, FEED_START, firstVersionAfter, formatCheckpoint, parseCheckpoint } from './feed-checkpoint.js';

describe('feed checkpoints', () => {
  it('round-trip, after a whole commit and inside one', () => {
    expect(parseCheckpoint(formatCheckpoint('f0a1b2c3d', 42))).toEqual({ indexId: 'f0a1b2c3d', position: 42 });
    expect(parseCheckpoint(formatCheckpoint('f0a1b2c3d', 42, 7))).toEqual({ indexId: 'f0a1b2c3d', position: 42, version: 7 });
    expect(parseCheckpoint(FEED_START)).toEqual({ position: 0 });
  });

  it("give a commit's last event the commit's own checkpoint, so a resumed read does not fetch the commit again", () => {
    const of = checkpointsOfCommit('f00000001', 9, 12);
    expect(of(10)).toBe(formatCheckpoint('f00000001', 9, 10));
    expect(of(12)).toBe(formatCheckpoint('f00000001', 9));
    expect(firstVersionAfter(parseCheckpoint(of(12)), 9, 10, 12)).toBe(13);
    expect(firstVersionAfter(parseCheckpoint(of(10)), 9, 10, 12)).toBe(11);
  });

  it('refuse anything the feed did not give out', () => {
    for (const bad of ['', 'x', '-1', 'f0a1b2c3d', 'f0a1b2c3d:0', 'f0a1b2c3d:1:0', 'F0A1B2C3D:1', 'g0a1b2c3d:1', 'f0a1b2c3:1', 'f0a1b2c3d:1:2:3', 1, null, undefined, {}]) {
      expect(() => parseCheckpoint(bad)).toThrow(InvalidArgumentError);
    }
  });

  it("name the migration for 0.3's commit-time checkpoints", () => {
    for (const old of ['1795269938383', '1795269938383:3:account-1', '17:1:a:b:c']) {
      const error = (() => {
        try {
          parseCheckpoint(old);
        } catch (thrown) {
          return thrown;
        }
      })();
      expect(error).toBeInstanceOf(FeedCheckpointMismatchError);
      expect(error).toMatchObject({ code: 'FEED_CHECKPOINT_MISMATCH', reason: 'outdated', checkpoint: old });
      expect((error as Error).message).toContain('nestjs-dynamo-es feed migrate');
    }
  });

  it('place a commit before, at or after a position', () => {
    const after = { indexId: 'f00000001', position: 5, version: 3 };
    expect(firstVersionAfter(after, 4, 1, 2)).toBe(3); // an earlier commit: all delivered
    expect(firstVersionAfter(after, 5, 2, 6)).toBe(4); // the commit holding the checkpoint: the rest of it
    expect(firstVersionAfter(after, 6, 7, 9)).toBe(7); // a later commit: all of it
    expect(firstVersionAfter({ position: 0 }, 1, 1, 1)).toBe(1);
  });
});
