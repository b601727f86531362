import { describe, expect, it } from '@jest/globals';
import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import { toJsonPayload } from './json-payload.js';

function rejection(payload: object): EventNotSerializableError {
  try {
    toJsonPayload('Sample', payload);
  } catch (error) {
    if (error instanceof EventNotSerializableError) return error;
    throw error;
  }
  throw new Error('expected the payload to be rejected');
}

describe('toJsonPayload', () => {
  it('serializes plain JSON data, nested objects and arrays', () => {
    const payload = { id: 'a-1', amount: 12.5, tags: ['x', 'y'], nested: { ok: true, none: null } };
    expect(JSON.parse(toJsonPayload('Sample', payload))).toEqual(payload);
  });

  it('keeps the JSON form of values that define toJSON, such as dates', () => {
    const at = new Date('2026-01-02T03:04:05.006Z');
    expect(toJsonPayload('Sample', { at })).toBe('{"at":"2026-01-02T03:04:05.006Z"}');
  });

  it.each([
    ['a BigInt', { amount: 10n }, '$.amount', /BigInt/],
    ['a function', { fn: () => 1 }, '$.fn', /function/],
    ['a symbol', { s: Symbol('x') }, '$.s', /symbol/],
    ['NaN', { n: Number.NaN }, '$.n', /NaN/],
    ['Infinity', { list: [1, Number.POSITIVE_INFINITY] }, '$.list[1]', /Infinity/],
    ['undefined in an array', { list: [undefined] }, '$.list[0]', /undefined/],
    ['a Map', { deep: { m: new Map([[1, 2]]) } }, '$.deep.m', /Map/],
    ['a Set', { s: new Set([1]) }, '$.s', /Set/],
    ['a typed array', { bytes: new Uint8Array(2) }, '$.bytes', /typed array/],
  ])('rejects %s and names where it is', (_label, payload, path, reason) => {
    const error = rejection(payload);
    expect(error.path).toBe(path);
    expect(error.reason).toMatch(reason);
    expect(error.message).toContain('Sample');
  });

  it('rejects a payload whose toJSON() gives nothing', () => {
    expect(rejection({ toJSON: () => undefined }).reason).toMatch(/serialized to nothing/);
  });

  it('rejects circular references', () => {
    const payload: Record<string, unknown> = { a: 1 };
    payload.self = payload;
    expect(rejection(payload).reason).toMatch(/circular/);
  });
});
