import type { FeedCheckpoint } from '../feed/feed-checkpoint.js';

/**
 * Shares idle polls of the feed index among the runners of this process: every caught-up reader
 * of the index (each partition of a partitioned projection, each projection) holds the same
 * checkpoint, the head's, so one answer to "is there anything after it?" serves them all. An
 * answer is reused while younger than the asker's `maxAgeMs`; a request in flight is shared.
 */
export class CoalescedHeadPolls {
  private readonly answers = new Map<FeedCheckpoint, { readonly at: number; readonly answer: Promise<boolean> }>();

  constructor(private readonly poll: (checkpoint: FeedCheckpoint) => Promise<boolean>) {}

  hasNewer(checkpoint: FeedCheckpoint, maxAgeMs: number): Promise<boolean> {
    const now = Date.now();
    const known = this.answers.get(checkpoint);
    if (known !== undefined && now - known.at < maxAgeMs) return known.answer;
    const answer = this.poll(checkpoint);
    this.answers.set(checkpoint, { at: now, answer });
    answer.catch(() => this.answers.delete(checkpoint)); // a failure is not an answer: the next asker polls
    if (this.answers.size > 64) this.forgetOlderThan(now - 60_000);
    return answer;
  }

  private forgetOlderThan(time: number): void {
    for (const [checkpoint, { at }] of this.answers) if (at < time) this.answers.delete(checkpoint);
  }
}
