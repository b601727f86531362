import type { Contender } from './contenders.js';

/** One timed round of a contender; resolves to events per second. */
export type Round = (contender: Contender, round: number) => Promise<number>;

export interface RoundRates {
  readonly module: number[];
  readonly baseline: number[];
}

/**
 * Runs module and baseline in alternating rounds, swapping who goes first each round, so that
 * machine noise and slow drift (a table growing, the JIT, the host's other load) hit both alike.
 */
export async function interleavedRounds(rounds: number, module: Contender, baseline: Contender, round: Round): Promise<RoundRates> {
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
