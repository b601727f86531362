import { describe, expect, it } from '@jest/globals';
import type { RebuildProgress } from '../projections/interfaces/rebuild-progress.interface.js';
import type { CliOutput } from './cli-io.js';
import { duration, progressLine, ProgressBar } from './progress-bar.js';

class Recorded implements CliOutput {
  text = '';
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(text: string): void {
    this.text += text;
  }
}

const at = (fraction: number, eventsHandled = Math.round(fraction * 20_000)): RebuildProgress => ({
  eventsHandled,
  eventsPerSecond: 4321.6,
  elapsedMs: 2_000,
  fraction,
  estimatedRemainingMs: fraction >= 1 ? 0 : fraction === 0 ? undefined : 65_000,
});

describe('ProgressBar', () => {
  it('draws one line in place on a terminal: bar, percent, events, rate and time left, fitted to its width', () => {
    const out = new Recorded(true, 100);
    const bar = new ProgressBar(out, 'rebuilding "balances"');
    bar.update(at(0.456));
    bar.update(at(1));
    bar.finish();
    const frames = out.text.split('\r').slice(1);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toBe(`rebuilding "balances" [${'#'.repeat(11)}${'.'.repeat(14)}]  45%  9,120 events  4,322 events/s  ETA 1m05s\x1b[K`);
    expect(frames[1]).toBe(`rebuilding "balances" [${'#'.repeat(25)}] 100%  20,000 events  4,322 events/s  done in 2s\x1b[K\n`);
    expect(frames[0]!.replace('\x1b[K', '').length).toBeLessThan(100);
  });

  it('leaves the bar out on a narrow terminal, and cuts the line to fit', () => {
    const line = progressLine('rebuilding "balances"', at(0.5), 40);
    expect(line).toBe('rebuilding "balances"  50%  10,000 even');
  });

  it('prints plain lines without a terminal: the first update, each further tenth, and the end', () => {
    const out = new Recorded(false);
    const bar = new ProgressBar(out, 'rebuilding "balances"');
    for (const fraction of [0, 0.05, 0.08, 0.15, 0.19, 0.42, 0.999, 1, 1]) bar.update(at(fraction));
    bar.finish();
    expect(out.text.split('\n')).toEqual([
      'rebuilding "balances": 0%, 0 events, 4,322 events/s, ETA ?',
      'rebuilding "balances": 15%, 3,000 events, 4,322 events/s, ETA 1m05s',
      'rebuilding "balances": 42%, 8,400 events, 4,322 events/s, ETA 1m05s',
      'rebuilding "balances": 99%, 19,980 events, 4,322 events/s, ETA 1m05s',
      'rebuilding "balances": 100%, 20,000 events, 4,322 events/s, done in 2s',
      '',
    ]);
  });

  it.each([
    [850, '850ms'],
    [12_400, '12s'],
    [185_000, '3m05s'],
    [7_620_000, '2h07m'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(duration(ms)).toBe(text);
  });
});
