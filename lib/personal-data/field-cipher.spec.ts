import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { openField, sealField } from './field-cipher.js';
import { SubjectKey } from './subject-key.js';

describe('field cipher (AES-256-GCM, synthetic IV)', () => {
  const key = new SubjectKey('customer-1', randomBytes(32));

  it('opens what it sealed, as the same JSON', () => {
    const json = JSON.stringify({ street: 'Rue de la Paix 1', zip: 75002, tags: ['a', 'ü'] });
    expect(openField(key, 'address', sealField(key, 'address', ['commit-1', 0], json))).toBe(json);
  });

  it('seals the same inputs to the same bytes (a retried append is byte-identical), and anything else to other IVs', () => {
    const sealed = sealField(key, 'email', ['commit-1', 0], '"ann@example.com"');
    expect(sealField(key, 'email', ['commit-1', 0], '"ann@example.com"').equals(sealed)).toBe(true);
    const ivs = [
      sealField(key, 'email', ['commit-2', 0], '"ann@example.com"'),
      sealField(key, 'email', ['commit-1', 1], '"ann@example.com"'),
      sealField(key, 'phone', ['commit-1', 0], '"ann@example.com"'),
      sealField(key, 'email', ['commit-1', 0], '"bob@example.com"'),
      // Length-prefixed inputs: moving a boundary between parts is another input.
      sealField(key, 'email', ['commit-10', ''], '"ann@example.com"'),
    ].map((value) => value.subarray(0, 12).toString('hex'));
    expect(new Set([sealed.subarray(0, 12).toString('hex'), ...ivs]).size).toBe(6);
  });

  it('refuses a value altered anywhere, moved to another field, or opened with another subject or key', () => {
    const sealed = sealField(key, 'email', ['commit-1', 0], '"ann@example.com"');
    for (let i = 0; i < sealed.length; i++) {
      const altered = Buffer.from(sealed);
      altered[i]! ^= 1;
      expect(() => openField(key, 'email', altered)).toThrow(/authentication tag/);
    }
    expect(() => openField(key, 'phone', sealed)).toThrow(/authentication tag/);
    expect(() => openField(new SubjectKey('customer-2', key.dataKey), 'email', sealed)).toThrow(/authentication tag/);
    expect(() => openField(new SubjectKey('customer-1', randomBytes(32)), 'email', sealed)).toThrow(/authentication tag/);
    expect(() => openField(key, 'email', sealed.subarray(0, 20))).toThrow(/at least 28 bytes/);
  });
});
