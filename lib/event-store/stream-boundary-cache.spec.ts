import { describe, expect, it } from '@jest/globals';
import { StreamBoundaryCache } from './stream-boundary-cache.js';

describe('StreamBoundaryCache', () => {
  it('remembers the newest boundaries of a stream and forgets the oldest', () => {
    const cache = new StreamBoundaryCache(10, 2);
    cache.remember('s', 1, 1000 + 1);
    cache.remember('s', 5, 1000 + 5);
    cache.remember('s', 9, 1000 + 9);
    expect(cache.has('s', 1)).toBe(false);
    expect(cache.has('s', 5)).toBe(true);
    expect(cache.has('s', 9)).toBe(true);
    expect(cache.has('other', 9)).toBe(false);
    expect(cache.committedAtOf('s', 9)).toBe(1009);
    expect(cache.committedAtOf('s', 1)).toBeUndefined();
  });

  it('finds the highest known boundary below a version', () => {
    const cache = new StreamBoundaryCache();
    for (const version of [10, 30, 20]) cache.remember('s', version, 1000 + version);
    expect(cache.below('s', 25)).toBe(20);
    expect(cache.below('s', 10)).toBeUndefined();
    expect(cache.below('other', 25)).toBeUndefined();
  });

  it('holds a bounded number of streams, dropping the one learned about first', () => {
    const cache = new StreamBoundaryCache(2);
    cache.remember('a', 1, 1000 + 1);
    cache.remember('b', 1, 1000 + 1);
    cache.remember('a', 2, 1000 + 2);
    cache.remember('c', 1, 1000 + 1);
    expect(cache.has('a', 2)).toBe(false);
    expect(cache.has('b', 1)).toBe(true);
    expect(cache.has('c', 1)).toBe(true);
  });
});
