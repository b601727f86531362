/**
 * Runs n variants of one operation in rounds whose order rotates (round r starts with variant r
 * mod n, so that each takes every place in turn), each variant's ops back to back, so that the
 * host's other load and slow drift (DynamoDB Local's JIT, tables growing) hit every variant alike.
 * The n-way form of interleaved-rounds.ts, recording each op's latency and this process's CPU time.
 */

/** One variant: an operation it repeats; each call does the next op of its own sequence. */
export interface TimedVariant<K extends string = string> {
  readonly key: K;
  readonly op: () => Promise<void>;
}

/** What one variant did in the timed rounds. */
export interface VariantSamples {
  /** Each op's latency, µs. */
  readonly latencies: number[];
  /** Each round's mean latency per op, µs (paired across variants by round). */
  readonly roundMeans: number[];
  /** Each round's CPU time (user + system) of this process per op, µs. */
  readonly roundCpu: number[];
}

export async function rotatedVariantRounds<K extends string>(variants: readonly TimedVariant<K>[], rounds: number, opsPerRound: number): Promise<Map<K, VariantSamples>> {
  const samples = new Map<K, VariantSamples>(variants.map((variant) => [variant.key, { latencies: [], roundMeans: [], roundCpu: [] }]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(r + i) % variants.length]!;
      const into = samples.get(variant.key)!;
      const cpu = process.cpuUsage();
      const started = performance.now();
      let previous = started;
      for (let n = 0; n < opsPerRound; n++) {
        await variant.op();
        const now = performance.now();
        into.latencies.push((now - previous) * 1000);
        previous = now;
      }
      const { user, system } = process.cpuUsage(cpu);
      into.roundMeans.push(((previous - started) * 1000) / opsPerRound);
      into.roundCpu.push((user + system) / opsPerRound);
    }
  }
  return samples;
}

/** The value at quantile q (nearest rank). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
