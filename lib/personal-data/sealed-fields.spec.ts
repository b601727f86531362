import { describe, expect, it } from '@jest/globals';
import { sealedFieldsIn } from './sealed-fields.js';

const sealed = (subject: string) => ({ $pd: 1, s: subject, c: 'AA' });

describe('sealedFieldsIn', () => {
  const declared = (type: string) => (type === 'customer.registered' ? ['email', 'address.street', 'phone'] : undefined);

  it('finds sealed values only at the declared personal fields, and their subjects only', () => {
    const events = JSON.stringify([
      { type: 'customer.registered', data: { email: sealed('c-1'), address: { street: sealed('c-1') }, phone: null, note: sealed('mallory') } },
      { type: 'webhook.received', data: { payload: sealed('eve') } },
      { type: 'customer.registered', data: { email: 'not sealed', address: [sealed('c-2')] } },
    ]);
    const subjects = new Set<string>();
    expect(sealedFieldsIn(events, declared, subjects)).toEqual(new Map([[0, ['email', 'address.street']]]));
    expect([...subjects]).toEqual(['c-1']);
  });

  it('finds nothing in text that is not an array of entries', () => {
    const subjects = new Set<string>();
    for (const text of ['{"$pd":1,"s":"x"', '{"$pd":1,"s":"x","c":"AA"}', '[null,{"data":{}}]']) {
      expect(sealedFieldsIn(text, declared, subjects).size).toBe(0);
    }
    expect(subjects.size).toBe(0);
  });
});
