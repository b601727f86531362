import { describe, expect, it } from '@jest/globals';
import { assignOwnData } from './own-data.js';

class Opened {
  owner = '';
  describe(): string {
    return `opened by ${this.owner}`;
  }
}

describe('assignOwnData', () => {
  it('assigns the fields like Object.assign', () => {
    const target = assignOwnData(Object.create(Opened.prototype) as Opened, { owner: 'ann', extra: [1] });
    expect(target).toBeInstanceOf(Opened);
    expect(target.describe()).toBe('opened by ann');
    expect(target).toEqual(Object.assign(Object.create(Opened.prototype) as Opened, { owner: 'ann', extra: [1] }));
  });

  it('keeps a stored "__proto__" key as an own field, where Object.assign would replace the prototype', () => {
    const data = JSON.parse('{"owner":"ann","__proto__":{"owner":"mallory","isAdmin":true},"constructor":"x"}') as object;
    const target = assignOwnData(Object.create(Opened.prototype) as Opened, data);
    expect(Object.getPrototypeOf(target)).toBe(Opened.prototype);
    expect(target.describe()).toBe('opened by ann');
    expect((target as unknown as { isAdmin?: boolean }).isAdmin).toBeUndefined();
    expect(Object.keys(target)).toEqual(['owner', '__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(target, '__proto__')).toEqual({ value: { owner: 'mallory', isAdmin: true }, writable: true, enumerable: true, configurable: true });
    // What the old code did:
    expect(Object.getPrototypeOf(Object.assign(Object.create(Opened.prototype) as object, data))).not.toBe(Opened.prototype);
  });
});
