import { describe, expect, it } from '@jest/globals';
import { eventIdAt, newEventId } from './event-id.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('event ids', () => {
  it('are UUIDv7 carrying the creation time', () => {
    const id = newEventId(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    expect(id).toMatch(UUID_V7);
    expect(parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
  });

  it('derive distinct, increasing ids for the events of one commit', () => {
    const first = newEventId();
    const ids = Array.from({ length: 5000 }, (_, i) => eventIdAt(first, i));
    expect(ids[0]).toBe(first);
    expect(new Set(ids).size).toBe(5000);
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
  });

  it('never carry out of the counter, even for the largest counter a new id can have', () => {
    const max = '01234567-89ab-7def-8123-7fffffffffff';
    expect(eventIdAt(max, 1)).toBe('01234567-89ab-7def-8123-800000000000');
    expect(eventIdAt(max, 2 ** 20)).toMatch(/^01234567-89ab-7def-8123-/);
  });
});
