import { describe, expect, it } from '@jest/globals';
import { commitMetadataToStore, parseCommitMetadata } from './commit-metadata.js';

describe('commit metadata', () => {
  it('stores nothing more than the app map when there are no ids', () => {
    const app = { userId: 'u' };
    expect(commitMetadataToStore(app, undefined, undefined)).toBe(app);
    expect(commitMetadataToStore(undefined, undefined, undefined)).toBeUndefined();
  });

  it('stores the ids under short reserved keys, without touching the app map', () => {
    const app = { userId: 'u' };
    expect(JSON.stringify(commitMetadataToStore(app, 'conv', 'cmd'))).toBe('{"userId":"u","$corr":"conv","$cause":"cmd"}');
    expect(app).toEqual({ userId: 'u' });
    expect(JSON.stringify(commitMetadataToStore(undefined, undefined, 'cmd'))).toBe('{"$cause":"cmd"}');
  });

  it('reads the ids back out of the app map, which it freezes', () => {
    const read = parseCommitMetadata('{"userId":"u","$corr":"conv","$cause":"cmd"}');
    expect(read).toEqual({ metadata: { userId: 'u' }, correlationId: 'conv', causationId: 'cmd' });
    expect(Object.isFrozen(read.metadata)).toBe(true);
    expect(parseCommitMetadata('{"userId":"u"}')).toEqual({ metadata: { userId: 'u' }, correlationId: undefined, causationId: undefined });
    expect(parseCommitMetadata(undefined)).toEqual({ metadata: {}, correlationId: undefined, causationId: undefined });
  });

  it('reads a stored "__proto__" key as an own entry of the map, never as its prototype', () => {
    const read = parseCommitMetadata('{"userId":"u","__proto__":{"isAdmin":true},"nested":{"__proto__":{"isAdmin":true}}}');
    expect(Object.getPrototypeOf(read.metadata)).toBe(Object.prototype);
    expect((read.metadata as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.keys(read.metadata)).toEqual(['userId', '__proto__', 'nested']);
    const nested = read.metadata.nested as object;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(nested, '__proto__')?.value).toEqual({ isAdmin: true });
  });

  it('reads a stored -0 back as -0', () => {
    expect(Object.is(parseCommitMetadata('{"delta":-0}').metadata.delta, -0)).toBe(true);
  });
});
