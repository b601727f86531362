import type { RebuildProgress } from '../projections/interfaces/rebuild-progress.interface.js';
import type { CliOutput } from './cli-io.js';

const BAR_MIN = 10;
const BAR_MAX = 40;
const FIGURES_ROOM = 50;
/** Without a terminal, a plain line is printed each time another tenth is done (and first, and last): a log stays short. */
const PLAIN_STEP = 10;

/**
 * Shows a rebuild's progress: on a terminal, one line drawn in place (bar, percent, events, rate,
 * time left); otherwise plain lines, so that a log or a CI output shows it without control codes.
 */
export class ProgressBar {
  private drawn = false;
  private lastStep = -1;

  constructor(
    private readonly out: CliOutput,
    private readonly label: string,
  ) {}

  update(progress: RebuildProgress): void {
    if (this.out.isTTY === true) {
      // \r and "erase to end of line": the new text replaces the old, whatever their lengths.
      // A terminal that reports no width (0, as some pseudo-terminals do) gets the usual 80 columns.
      this.out.write(`\r${progressLine(this.label, progress, this.out.columns || 80)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const step = Math.floor((percentOf(progress) / PLAIN_STEP));
    if (step <= this.lastStep && progress.fraction < 1) return;
    if (progress.fraction >= 1 && this.lastStep === PLAIN_STEP) return; // 100% printed already
    this.lastStep = progress.fraction >= 1 ? PLAIN_STEP : step;
    this.out.write(`${plainLine(this.label, progress)}\n`);
  }

  /** Ends the line drawn in place, so that what is printed next starts on a line of its own. */
  finish(): void {
    if (this.drawn) this.out.write('\n');
    this.drawn = false;
  }
}

/** `label [#######.......]  45%  1,234 events  567 events/s  ETA 12s`, fitted to `columns`. */
export function progressLine(label: string, progress: RebuildProgress, columns: number): string {
  const percent = percentOf(progress);
  const figures = `${String(percent).padStart(3)}%  ${figuresOf(progress)}`;
  // Room kept for the figures whatever their length now, so that the bar does not change width as they do.
  const width = Math.min(BAR_MAX, columns - label.length - FIGURES_ROOM - 4);
  // Never as wide as the terminal: a line that wraps cannot be redrawn in place.
  const fit = (line: string) => line.slice(0, Math.max(0, columns - 1));
  if (width < BAR_MIN) return fit(`${label} ${figures}`);
  const filled = Math.floor((percent / 100) * width);
  return fit(`${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}`);
}

/** `label: 45%, 1,234 events, 567 events/s, ETA 12s`. */
export function plainLine(label: string, progress: RebuildProgress): string {
  return `${label}: ${percentOf(progress)}%, ${figuresOf(progress).replaceAll('  ', ', ')}`;
}

function figuresOf(progress: RebuildProgress): string {
  const eta = progress.fraction >= 1 ? `done in ${duration(progress.elapsedMs)}` : `ETA ${progress.estimatedRemainingMs === undefined ? '?' : duration(progress.estimatedRemainingMs)}`;
  return `${count(progress.eventsHandled)} events  ${count(Math.round(progress.eventsPerSecond))} events/s  ${eta}`;
}

/** Whole percent, floored: 100 only once the rebuild is done. */
const percentOf = (progress: RebuildProgress): number => (progress.fraction >= 1 ? 100 : Math.min(99, Math.floor(progress.fraction * 100)));

/** Thousands separated by commas whatever the locale: output must not change from one machine to another. */
export const count = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** `850ms`, `12s`, `3m05s`, `2h07m`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
