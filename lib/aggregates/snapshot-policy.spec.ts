import { describe, expect, it } from '@jest/globals';
import { everyNEvents } from './snapshot-policy.js';

describe('everyNEvents', () => {
  const policy = everyNEvents(100);
  const at = (previousVersion: number, version: number, snapshotVersion: number) =>
    policy({ aggregate: {}, previousVersion, version, snapshotVersion });

  it('snapshots when a commit reaches a multiple of n', () => {
    expect(at(99, 100, 0)).toBe(true);
    expect(at(100, 101, 100)).toBe(false);
  });

  it('notices a commit that jumps over a multiple of n', () => {
    expect(at(98, 105, 0)).toBe(true);
    expect(at(101, 199, 100)).toBe(false);
    expect(at(150, 420, 100)).toBe(true);
  });

  it('catches up when the newest snapshot is n or more events behind', () => {
    expect(at(250, 250, 0)).toBe(true);
    expect(at(250, 250, 200)).toBe(false);
  });

  it('refuses a count that is not a whole number >= 1', () => {
    expect(() => everyNEvents(0)).toThrow(RangeError);
    expect(() => everyNEvents(2.5)).toThrow(RangeError);
  });
});
