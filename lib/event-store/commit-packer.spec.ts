import { describe, expect, it } from '@jest/globals';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { CommitTooLargeError } from '../errors/commit-too-large.error.js';
import { EventTooLargeError } from '../errors/event-too-large.error.js';
import { newEventId } from '../serialization/event-id.js';
import { itemSize, MAX_ITEM_BYTES } from '../tables/item-size.js';
import { commitItems, planCommit, type PackableEvent } from './commit-packer.js';

const header = { streamId: 'account-42', commitId: 'c-1', committedAt: 1_760_000_000_000, firstEventId: newEventId() };

function eventOf(bytes: number): PackableEvent {
  const entry = `{"type":"T","data":{"x":"${'a'.repeat(bytes - 29)}"}}`;
  return { type: 'T', entry, bytes: Buffer.byteLength(entry) };
}

describe('planCommit / commitItems', () => {
  it('packs small events into one item', () => {
    const events = Array.from({ length: 10 }, () => eventOf(400));
    const plan = planCommit(header, events);
    expect(plan.slices).toEqual([[0, 10]]);
    const [item] = commitItems(plan, events, header, 5);
    const decoded = unmarshall(item!);
    expect(decoded).toMatchObject({ streamId: 'account-42', version: 5, lastVersion: 14, commitId: 'c-1' });
    expect(decoded.commitLastVersion).toBeUndefined();
    expect(JSON.parse(decoded.events as string)).toHaveLength(10);
    expect(itemSize(item!)).toBeLessThanOrEqual(plan.bytes);
    expect(plan.bytes - itemSize(item!)).toBeLessThan(24); // only the numbers are counted at their largest
  });

  it('splits a large commit over items that each fit 400 KB, with contiguous versions', () => {
    const events = Array.from({ length: 2000 }, () => eventOf(1000));
    const plan = planCommit(header, events);
    expect(plan.slices.length).toBe(5);
    const items = commitItems(plan, events, header, 1).map((item) => ({ item, decoded: unmarshall(item) }));
    let next = 1;
    for (const { item, decoded } of items) {
      expect(itemSize(item)).toBeLessThanOrEqual(MAX_ITEM_BYTES);
      expect(decoded.version).toBe(next);
      expect(decoded.commitLastVersion).toBe(2000);
      next = (decoded.lastVersion as number) + 1;
    }
    expect(next).toBe(2001);
  });

  it('rejects an event that cannot fit an item, naming it', () => {
    const events = [eventOf(100), eventOf(MAX_ITEM_BYTES)];
    expect(() => planCommit(header, events)).toThrow(EventTooLargeError);
    expect(() => planCommit(header, events)).toThrow(/Event #1/);
  });

  it('rejects a commit over 4 MB', () => {
    const events = Array.from({ length: 11 }, () => eventOf(390 * 1024));
    expect(() => planCommit(header, events)).toThrow(CommitTooLargeError);
  });
});
