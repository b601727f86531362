import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { assertFeatureOptions } from './resolve-feature-options.js';

describe('assertFeatureOptions', () => {
  it('accepts the options of forFeature(), all of them optional', () => {
    expect(() => assertFeatureOptions({})).not.toThrow();
    expect(() => assertFeatureOptions({ aggregates: [], events: [], projections: [], imports: [] })).not.toThrow();
  });

  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  it.each([
    ['null as the options', null, 'forFeature(options)', /got null/],
    ['a string as the options', 'accounts', 'forFeature(options)', /got "accounts"/],
    ['an array as the options', [], 'forFeature(options)', /got an array/],
    ['a revoked Proxy as the options', revoked.proxy, 'forFeature(options)', /got a revoked Proxy/],
    ['a misspelt option (aggregate)', { aggregate: [] }, 'aggregate', /is not an option of forFeature\(\). Known: aggregates, events, projections, imports/],
    ['a number as the events', { events: 5 }, 'events', /must be an array of event classes; got 5/],
    ['a class as the events', { events: class A {} }, 'events', /got function/],
    ['a module as the imports', { imports: class M {} }, 'imports', /must be an array of modules; got function/],
  ])('refuses %s with an InvalidModuleOptionsError naming it', (_kind, options, option, problem) => {
    let error: unknown;
    try {
      assertFeatureOptions(options);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(InvalidModuleOptionsError);
    expect(error).toMatchObject({ code: 'INVALID_MODULE_OPTIONS', option, message: expect.stringMatching(problem) });
  });
});
