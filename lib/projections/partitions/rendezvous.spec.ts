import { describe, expect, it, jest } from '@jest/globals';
import { Rendezvous } from './rendezvous.js';

describe('Rendezvous', () => {
  it('runs the action once, after the last party arrived, and resolves every arrival', async () => {
    const calls: number[] = [];
    let arrived = 0;
    const meeting = new Rendezvous(3, async () => {
      calls.push(arrived);
    });
    const arrivals = [1, 2, 3].map(() => {
      arrived++;
      return meeting.arrive();
    });
    await Promise.all(arrivals);
    expect(calls).toEqual([3]);
  });

  it('rejects the waiting parties when one fails instead of arriving', async () => {
    const action = jest.fn(async () => undefined);
    const meeting = new Rendezvous(2, action);
    const waiting = meeting.arrive();
    meeting.fail(new Error('no lease'));
    await expect(waiting).rejects.toThrow('no lease');
    expect(action).not.toHaveBeenCalled();
  });

  it('rejects every arrival when the action fails', async () => {
    const meeting = new Rendezvous(2, async () => {
      throw new Error('reset failed');
    });
    const results = await Promise.allSettled([meeting.arrive(), meeting.arrive()]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
