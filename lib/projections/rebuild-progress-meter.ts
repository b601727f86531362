import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';

/**
 * Measures a rebuild as its pages come: events done, rate, and the share of the commit-time range
 * from the first commit read to the high-water mark. Commit time is what the feed is ordered by, so
 * it is known for every page without counting the events ahead (which would mean reading them).
 */
export class RebuildProgressMeter {
  private eventsHandled = 0;
  private firstAt?: number;
  private reachedAt?: number;

  constructor(
    private readonly highWaterMark: number,
    private readonly startedAt: number = Date.now(),
  ) {}

  /**
   * Counts a page: `events` handled, the commit time of its first event (if any) and the commit
   * time it reached; `caughtUp` for the read's last page.
   */
  page(events: number, firstEventAt: number | undefined, reachedAt: number, caughtUp: boolean, now = Date.now()): RebuildProgress {
    this.eventsHandled += events;
    this.firstAt ??= Math.min(firstEventAt ?? reachedAt, reachedAt);
    this.reachedAt = caughtUp ? this.highWaterMark : reachedAt;
    return this.progress(now);
  }

  progress(now = Date.now()): RebuildProgress {
    const elapsedMs = Math.max(0, now - this.startedAt);
    const fraction = this.fraction();
    const eventsPerSecond = elapsedMs === 0 ? 0 : (this.eventsHandled * 1000) / elapsedMs;
    const estimatedRemainingMs = fraction >= 1 ? 0 : fraction > 0 && elapsedMs > 0 ? Math.round((elapsedMs * (1 - fraction)) / fraction) : undefined;
    return { eventsHandled: this.eventsHandled, eventsPerSecond, elapsedMs, fraction, estimatedRemainingMs };
  }

  private fraction(): number {
    if (this.reachedAt === undefined || this.firstAt === undefined) return 0;
    if (this.reachedAt >= this.highWaterMark) return 1;
    const span = this.highWaterMark - this.firstAt;
    return span <= 0 ? 1 : Math.min(1, Math.max(0, (this.reachedAt - this.firstAt) / span));
  }
}
