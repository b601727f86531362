import { describe, expect, it } from '@jest/globals';
import { backoffDelay } from './retry-policy.js';

describe('backoffDelay', () => {
  const options = { maxAttempts: 10, baseDelayMs: 10, maxDelayMs: 300 };

  it('doubles the ceiling with each retry, up to the cap', () => {
    const top = () => 0.999_999;
    expect(backoffDelay(1, options, top)).toBe(9);
    expect(backoffDelay(2, options, top)).toBe(19);
    expect(backoffDelay(4, options, top)).toBe(79);
    expect(backoffDelay(9, options, top)).toBe(299);
  });

  it('draws the delay anywhere from zero (full jitter)', () => {
    expect(backoffDelay(5, options, () => 0)).toBe(0);
    expect(backoffDelay(5, options, () => 0.5)).toBe(80);
  });
});
