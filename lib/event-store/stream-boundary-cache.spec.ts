import { describe, expect, it } from '@jest/globals';
import { StreamBoundaryCache, type BoundaryAnchor } from './stream-boundary-cache.js';

const item = (version: number, lastVersion: number, commitId = `c${version}`): BoundaryAnchor => ({ version, lastVersion, commitId, committedAt: 1000 + lastVersion });

describe('StreamBoundaryCache', () => {
  const settings = { trustMs: 5_000, maxStreams: 10 };

  it('remembers the newest boundaries of a stream and forgets the oldest', () => {
    const cache = new StreamBoundaryCache(settings, 2);
    cache.remember('s', item(1, 1));
    cache.remember('s', item(2, 5));
    cache.remember('s', item(6, 9));
    expect(cache.trusts('s', 1)).toBe(false);
    expect(cache.trusts('s', 5)).toBe(true);
    expect(cache.trusts('s', 9)).toBe(true);
    expect(cache.trusts('other', 9)).toBe(false);
    expect(cache.committedAtOf('s', 9)).toBe(1009);
    expect(cache.committedAtOf('s', 1)).toBeUndefined();
    expect(cache.highest('s')).toBe(9);
  });

  it('keeps only the header of an item read from the table, not its events', () => {
    const cache = new StreamBoundaryCache(settings);
    cache.remember('s', { ...item(1, 3), events: 'x'.repeat(1000) } as BoundaryAnchor);
    expect(cache.anchorBelow('s', 4)).toEqual({ ...item(1, 3), confirmedAt: expect.any(Number) });
  });

  it('finds the item ending at the highest known boundary below a version', () => {
    const cache = new StreamBoundaryCache(settings);
    for (const [first, last] of [[8, 10], [21, 30], [11, 20]] as const) cache.remember('s', item(first, last));
    expect(cache.anchorBelow('s', 25)).toMatchObject(item(11, 20));
    expect(cache.anchorBelow('s', 10)).toBeUndefined();
    expect(cache.anchorBelow('other', 25)).toBeUndefined();
  });

  it('holds a bounded number of streams, dropping the one learned about first', () => {
    const cache = new StreamBoundaryCache({ trustMs: 5_000, maxStreams: 2 });
    cache.remember('a', item(1, 1));
    cache.remember('b', item(1, 1));
    cache.remember('a', item(2, 2));
    cache.remember('c', item(1, 1));
    expect(cache.trusts('a', 2)).toBe(false);
    expect(cache.trusts('b', 1)).toBe(true);
    expect(cache.trusts('c', 1)).toBe(true);
  });

  it('trusts a boundary for appends only trustMs after a read or write last saw it', () => {
    let now = 0;
    const cache = new StreamBoundaryCache({ trustMs: 1_000, maxStreams: 10 }, 4, () => now);
    cache.remember('s', item(1, 4));
    now = 999;
    expect(cache.trusts('s', 4)).toBe(true);
    now = 1_000;
    expect(cache.trusts('s', 4)).toBe(false);
    cache.remember('s', item(1, 4)); // seen again: trusted again
    expect(cache.trusts('s', 4)).toBe(true);
    expect(cache.anchorBelow('s', 5)).toMatchObject(item(1, 4)); // reads check their anchor themselves, so may use it
  });

  it('never trusts anything with trustMs 0 or maxStreams 0', () => {
    const zeroTrust = new StreamBoundaryCache({ trustMs: 0, maxStreams: 10 });
    zeroTrust.remember('s', item(1, 4));
    expect(zeroTrust.trusts('s', 4)).toBe(false);
    const none = new StreamBoundaryCache({ trustMs: 5_000, maxStreams: 0 });
    none.remember('s', item(1, 4));
    expect(none.trusts('s', 4)).toBe(false);
    expect(none.anchorBelow('s', 5)).toBeUndefined();
  });

  it('forgets a stream when an item seen contradicts a boundary: one that spans it, or another item ending there', () => {
    const cache = new StreamBoundaryCache(settings);
    cache.remember('s', item(3, 4, 'A2'));
    cache.observe('s', item(1, 2, 'A1')); // before it: no contradiction
    cache.observe('s', item(3, 4, 'A2')); // the item itself
    cache.observe('s', item(5, 9, 'B'));
    expect(cache.trusts('s', 4)).toBe(true);
    cache.observe('s', item(3, 7, 'B')); // a commit over versions the boundary's item held: it is gone
    expect(cache.trusts('s', 4)).toBe(false);

    cache.remember('s', item(3, 4, 'A2'));
    cache.observe('s', item(4, 4, 'X')); // ends there, but is another item
    expect(cache.trusts('s', 4)).toBe(false);

    cache.remember('s', item(3, 4, 'A2'));
    cache.remember('s', item(4, 4, 'X')); // remembering another item at a known end drops the rest of the stream
    expect(cache.anchorBelow('s', 5)).toMatchObject(item(4, 4, 'X'));
  });
});
