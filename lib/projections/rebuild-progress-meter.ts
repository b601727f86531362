import type { RebuildProgress } from './interfaces/rebuild-progress.interface.js';

/**
 * Measures a rebuild as its pages come: events handled, rate, and the share of the feed index's
 * positions read, from the start to the head the rebuild reads to (the index's last position when
 * it started). Each position is one commit, so this counts commits, known for every page without
 * reading ahead; commits of very different sizes make it uneven, never wrong at the end.
 */
export class RebuildProgressMeter {
  private eventsHandled = 0;
  private position = 0;
  private done = false;

  constructor(
    /** The index head the rebuild reads to (0: an empty index). */
    private readonly headPosition: number,
    private readonly startedAt: number = Date.now(),
  ) {}

  /** Counts a page: `events` handled, the index position it reached; `caughtUp` for the read's last page. */
  page(events: number, position: number, caughtUp: boolean, now = Date.now()): RebuildProgress {
    this.eventsHandled += events;
    this.position = Math.max(this.position, Math.min(position, this.headPosition));
    this.done ||= caughtUp;
    return this.progress(now);
  }

  progress(now = Date.now()): RebuildProgress {
    const elapsedMs = Math.max(0, now - this.startedAt);
    const fraction = this.done || this.headPosition === 0 ? (this.done ? 1 : 0) : this.position / this.headPosition;
    const eventsPerSecond = elapsedMs === 0 ? 0 : (this.eventsHandled * 1000) / elapsedMs;
    const estimatedRemainingMs = fraction >= 1 ? 0 : fraction > 0 && elapsedMs > 0 ? Math.round((elapsedMs * (1 - fraction)) / fraction) : undefined;
    return { eventsHandled: this.eventsHandled, eventsPerSecond, elapsedMs, fraction, estimatedRemainingMs };
  }
}
