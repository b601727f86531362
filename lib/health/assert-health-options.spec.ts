import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertHealthOptions } from './assert-health-options.js';

describe('assertHealthOptions', () => {
  it('accepts each check its own options', () => {
    expect(() => assertHealthOptions({ verifyIntervalMs: 0, verifyTables: true, timeoutMs: 10 }, 'tables')).not.toThrow();
    expect(() => assertHealthOptions({ maxLagMs: 5000, maxLagCommits: 0, projections: ['a'], lagScope: 'app' }, 'projections')).not.toThrow();
    expect(() => assertHealthOptions({ maxLagMs: 1, verifyIntervalMs: 1 }, 'isHealthy')).not.toThrow();
  });

  it.each([
    [null, 'tables', /must be an object/],
    [{ maxLag: 5 }, 'projections', /no option "maxLag"/],
    [{ maxLagMs: 5 }, 'tables', /no option "maxLagMs"/],
    [{ maxLagMs: -1 }, 'isHealthy', /maxLagMs must be a finite number/],
    [{ verifyIntervalMs: '60s' }, 'tables', /verifyIntervalMs must be/],
    [{ verifyTables: 'yes' }, 'tables', /verifyTables must be a boolean/],
    [{ lagScope: 'cluster' }, 'projections', /lagScope must be/],
    [{ projections: 'a' }, 'projections', /projections must be an array/],
  ] as const)('refuses %p for %s', (options, check, message) => {
    let thrown: unknown;
    try {
      assertHealthOptions(options, check);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect(thrown).toMatchObject({ code: 'INVALID_HEALTH_OPTIONS', message: expect.stringMatching(message) });
  });
});
