import type { Contender } from './contenders.js';

/** Whatever a workload drives: the module's side or the raw SDK baseline's. */
export interface Named {
  readonly name: 'module' | 'baseline';
}

/** One timed round of a contender; resolves to events (or the workload's operations) per second. */
export type Round<C extends Named = Contender> = (contender: C, round: number) => Promise<number>;

export interface RoundRates {
  readonly module: number[];
  readonly baseline: number[];
}

/**
 * Runs module and baseline in alternating rounds, swapping who goes first each round, so that
 * machine noise and slow drift (a table growing, the JIT, the host's other load) hit both alike.
 */
export async function interleavedRounds<C extends Named = Contender>(rounds: number, module: C, baseline: C, round: Round<C>): Promise<RoundRates> {
  const rates: RoundRates = { module: [], baseline: [] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? [module, baseline] : [baseline, module];
    for (const contender of order) rates[contender.name].push(await round(contender, r));
  }
  return rates;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
