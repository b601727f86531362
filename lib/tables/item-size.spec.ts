import { describe, expect, it } from '@jest/globals';
import { itemSize, numberSize } from './item-size.js';

describe('itemSize', () => {
  it('counts UTF-8 names and string values', () => {
    expect(itemSize({ id: { S: 'abc' } })).toBe(2 + 3);
    expect(itemSize({ név: { S: 'é' } })).toBe(4 + 2);
  });

  it('counts numbers in digit pairs aligned on the decimal point, as DynamoDB stores them', () => {
    // Sizes measured on DynamoDB Local: 120 takes a byte more than 1200.
    expect(numberSize('0')).toBe(1);
    expect(numberSize('7')).toBe(2);
    expect(numberSize('120')).toBe(3);
    expect(numberSize('1200')).toBe(2);
    expect(numberSize('123456790')).toBe(6);
    expect(numberSize('1760000000000')).toBe(3);
    expect(numberSize('9007199254740991')).toBe(9);
    expect(numberSize('0.5')).toBe(2);
    expect(numberSize('1.25')).toBe(3);
    expect(numberSize('-5')).toBe(3);
    expect(numberSize('1.2e3')).toBe(2);
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
