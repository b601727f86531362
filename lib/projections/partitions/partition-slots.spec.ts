import { describe, expect, it } from '@jest/globals';
import { Halted } from '../halted.js';
import { PartitionSlots } from './partition-slots.js';

describe('PartitionSlots', () => {
  it('lets `size` holders in at once and the others in turn, in the order they asked', async () => {
    const slots = new PartitionSlots(2);
    const order: string[] = [];
    const a = await slots.take([]);
    const b = await slots.take([]);
    const c = slots.take([]).then((release) => (order.push('c'), release));
    const d = slots.take([]).then((release) => (order.push('d'), release));
    await Promise.resolve();
    expect(order).toEqual([]);
    b();
    const releaseC = await c;
    expect(order).toEqual(['c']);
    a();
    a(); // releasing twice frees one slot, not two
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC();
    releaseD();
    // Both slots are free again: two takers get in at once.
    await Promise.all([slots.take([]), slots.take([])]);
  });

  it('a waiter whose signal fires leaves the queue with Halted, and takes no slot', async () => {
    const slots = new PartitionSlots(1);
    const held = await slots.take([]);
    const stop = new AbortController();
    const waiting = slots.take([stop.signal]);
    stop.abort();
    await expect(waiting).rejects.toBeInstanceOf(Halted);
    held();
    const next = await slots.take([]);
    expect(typeof next).toBe('function');
  });
});
