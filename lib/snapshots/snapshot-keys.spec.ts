import { describe, expect, it } from '@jest/globals';
import { isSnapshotKey, partKey, snapshotKey, snapshotKeyRange } from './snapshot-keys.js';

describe('snapshot keys', () => {
  it('sort as strings in version order, then revision order', () => {
    const keys = [snapshotKey(10, 1), snapshotKey(9, 2), snapshotKey(10, 0), snapshotKey(Number.MAX_SAFE_INTEGER, 0), snapshotKey(100, 1)];
    expect([...keys].sort()).toEqual([snapshotKey(9, 2), snapshotKey(10, 0), snapshotKey(10, 1), snapshotKey(100, 1), snapshotKey(Number.MAX_SAFE_INTEGER, 0)]);
  });

  it('bound a version range that takes every revision at the upper version and no part', () => {
    const { lower, upper } = snapshotKeyRange(10);
    const inRange = (key: string) => key >= lower && key <= upper;
    expect(inRange(snapshotKey(10, Number.MAX_SAFE_INTEGER))).toBe(true);
    expect(inRange(snapshotKey(1, 0))).toBe(true);
    expect(inRange(snapshotKey(11, 0))).toBe(false);
    expect(inRange(partKey(5, 'abc', 0))).toBe(false);
    const all = snapshotKeyRange();
    expect(snapshotKey(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) <= all.upper).toBe(true);
    expect(isSnapshotKey(snapshotKey(3, 1))).toBe(true);
    expect(isSnapshotKey(partKey(3, 'abc', 0))).toBe(false);
  });
});
