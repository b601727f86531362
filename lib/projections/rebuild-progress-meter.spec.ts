import { describe, expect, it } from '@jest/globals';
import { RebuildProgressMeter } from './rebuild-progress-meter.js';

describe('RebuildProgressMeter', () => {
  it('measures the share of the index positions read, up to the head the rebuild started with', () => {
    const meter = new RebuildProgressMeter(2_000, 0);
    expect(meter.progress(0)).toEqual({ eventsHandled: 0, eventsPerSecond: 0, elapsedMs: 0, fraction: 0, estimatedRemainingMs: undefined });
    // First page: 100 events in the first 500 commits of 2,000.
    expect(meter.page(100, 500, false, 500)).toEqual({
      eventsHandled: 100,
      eventsPerSecond: 200,
      elapsedMs: 500,
      fraction: 0.25,
      estimatedRemainingMs: 1_500,
    });
    expect(meter.page(100, 1_000, false, 1_000)).toMatchObject({ eventsHandled: 200, fraction: 0.5, estimatedRemainingMs: 1_000 });
    // The last page holds no events and ends at the head.
    expect(meter.page(0, 2_000, true, 2_000)).toEqual({
      eventsHandled: 200,
      eventsPerSecond: 100,
      elapsedMs: 2_000,
      fraction: 1,
      estimatedRemainingMs: 0,
    });
  });

  it('counts pages of filtered-out commits (no events) as progress', () => {
    const meter = new RebuildProgressMeter(1_000, 0);
    expect(meter.page(0, 200, false, 10).fraction).toBe(0.2);
    expect(meter.page(5, 600, false, 20).fraction).toBe(0.6);
  });

  it('is done at once on an empty feed, and is at 0 before its first page', () => {
    expect(new RebuildProgressMeter(0, 0).progress(5)).toMatchObject({ fraction: 0 });
    expect(new RebuildProgressMeter(0, 0).page(0, 0, true, 5)).toMatchObject({ eventsHandled: 0, fraction: 1, estimatedRemainingMs: 0 });
  });
});
