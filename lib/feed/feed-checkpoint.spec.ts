import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { checkpointsOfCommit, FEED_START, firstVersionAfter, formatCheckpoint, parseCheckpoint } from './feed-checkpoint.js';

describe('feed checkpoints', () => {
  it('round-trip, stream ids with colons included', () => {
    for (const position of [{ at: 0 }, { at: 1795269938383 }, { at: 17, streamId: 'a:b:c', version: 3 }, { at: 5, streamId: 'ü', version: 1 }]) {
      expect(parseCheckpoint(formatCheckpoint(position))).toEqual(position);
    }
    expect(parseCheckpoint(FEED_START)).toEqual({ at: 0 });
  });

  it('are built per commit exactly as formatCheckpoint builds them', () => {
    const of = checkpointsOfCommit(1234, 'acc:1');
    expect(of(7)).toBe(formatCheckpoint({ at: 1234, streamId: 'acc:1', version: 7 }));
  });

  it('refuse anything the feed did not give out', () => {
    for (const bad of ['', 'x', '-1', '1:0:s', '1:2', '1::s', '12345678901234567:1:s', 1, null, undefined]) {
      expect(() => parseCheckpoint(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('tell which events of a commit lie after a position', () => {
    const at = 100;
    // A commit of versions 4..6 of stream "m", at time 100:
    expect(firstVersionAfter({ at: 99 }, at, 'm', 4, 6)).toBe(4); // earlier millisecond: all of it
    expect(firstVersionAfter({ at: 100 }, at, 'm', 4, 6)).toBe(7); // end of its millisecond: none
    expect(firstVersionAfter({ at: 101 }, at, 'm', 4, 6)).toBe(7);
    expect(firstVersionAfter({ at: 100, streamId: 'l', version: 9 }, at, 'm', 4, 6)).toBe(4); // a stream ordered before
    expect(firstVersionAfter({ at: 100, streamId: 'n', version: 1 }, at, 'm', 4, 6)).toBe(7); // a stream ordered after
    expect(firstVersionAfter({ at: 100, streamId: 'm', version: 5 }, at, 'm', 4, 6)).toBe(6); // inside the commit
    expect(firstVersionAfter({ at: 100, streamId: 'm', version: 3 }, at, 'm', 4, 6)).toBe(4);
  });
});
