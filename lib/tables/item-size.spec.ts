import { describe, expect, it } from '@jest/globals';
import { itemSize, numberSize } from './item-size.js';

describe('itemSize', () => {
  it('counts UTF-8 names and string values', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(itemSize({ név: { S: 'é' } })).toBe(4 + 2);
  });

  it('counts numbers by significant digits', () => {
    expect(numberSize('7')).toBe(2);
    expect(numberSize('1000')).toBe(2);
    expect(numberSize('123456')).toBe(4);
    expect(numberSize('-0.0012')).toBe(2);
    expect(itemSize({ v: { N: '1234567' } })).toBe(1 + 5);
  });

  it('counts binary, booleans, null, sets, lists and maps', () => {
    expect(itemSize({ b: { B: new Uint8Array(10) } })).toBe(11);
    expect(itemSize({ t: { BOOL: true }, n: { NULL: true } })).toBe(4);
    expect(itemSize({ s: { SS: ['ab', 'c'] } })).toBe(1 + 3);
    expect(itemSize({ l: { L: [{ S: 'ab' }, { N: '1' }] } })).toBe(1 + 3 + (1 + 2) + (1 + 2));
    expect(itemSize({ m: { M: { k: { S: 'v' } } } })).toBe(1 + 3 + (1 + 1 + 1));
  });
});
