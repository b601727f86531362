import { describe, expect, it } from '@jest/globals';
import { CoalescedHeadPolls } from './coalesced-head-polls.js';

describe('CoalescedHeadPolls', () => {
  it('asks once for many runners at the same checkpoint while the answer is young, and again once it is older', async () => {
    const asked: string[] = [];
    let answer = false;
    const polls = new CoalescedHeadPolls(async (checkpoint) => {
      asked.push(checkpoint);
      return answer;
    });
    const first = await Promise.all(Array.from({ length: 8 }, () => polls.hasNewer('f1:10', 60_000)));
    expect(first).toEqual(new Array(8).fill(false));
    expect(asked).toEqual(['f1:10']);
    answer = true;
    expect(await polls.hasNewer('f1:10', 0)).toBe(true);
    expect(await polls.hasNewer('f1:11', 60_000)).toBe(true);
    expect(asked).toEqual(['f1:10', 'f1:10', 'f1:11']);
  });

  it('does not keep a failed poll: the next asker polls again', async () => {
    let calls = 0;
    const polls = new CoalescedHeadPolls(async () => {
      calls++;
      if (calls === 1) throw new Error('throttled');
      return true;
    });
    await expect(polls.hasNewer('f1:3', 60_000)).rejects.toThrow('throttled');
    expect(await polls.hasNewer('f1:3', 60_000)).toBe(true);
    expect(calls).toBe(2);
  });
});
