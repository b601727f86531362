import { describe, expect, it } from '@jest/globals';
import { RebuildProgressMeter } from './rebuild-progress-meter.js';

describe('RebuildProgressMeter', () => {
  it('measures the share of the commit-time range from the first commit to the high-water mark', () => {
    const meter = new RebuildProgressMeter(2_000, 0);
    expect(meter.progress(0)).toEqual({ eventsHandled: 0, eventsPerSecond: 0, elapsedMs: 0, fraction: 0, estimatedRemainingMs: undefined });
    // First page: commits from 1,000 to 1,250 of the range 1,000..2,000.
    expect(meter.page(100, 1_000, 1_250, false, 500)).toEqual({
      eventsHandled: 100,
      eventsPerSecond: 200,
      elapsedMs: 500,
      fraction: 0.25,
      estimatedRemainingMs: 1_500,
    });
    expect(meter.page(100, 1_300, 1_500, false, 1_000)).toMatchObject({ eventsHandled: 200, fraction: 0.5, estimatedRemainingMs: 1_000 });
    // The last page holds no events and ends at the high-water mark.
    expect(meter.page(0, undefined, 2_000, true, 2_000)).toEqual({
      eventsHandled: 200,
      eventsPerSecond: 100,
      elapsedMs: 2_000,
      fraction: 1,
      estimatedRemainingMs: 0,
    });
  });

  it('starts the range at the first page even when it held only filtered-out commits', () => {
    const meter = new RebuildProgressMeter(1_000, 0);
    expect(meter.page(0, undefined, 200, false, 10).fraction).toBe(0);
    expect(meter.page(5, 400, 600, false, 20).fraction).toBe(0.5);
  });

  it('is done at once on an empty feed', () => {
    const meter = new RebuildProgressMeter(1_000, 0);
    expect(meter.page(0, undefined, 1_000, true, 5)).toMatchObject({ eventsHandled: 0, fraction: 1, estimatedRemainingMs: 0 });
  });
});
