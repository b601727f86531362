import type { Contender } from './contenders.js';
import { EventGenerator } from './event-generator.js';
import type { BankEvent } from './events.js';

/** Streams to append to, each with its commits in order. Generated before timing starts. */
export interface WritePlan {
  readonly streams: ReadonlyArray<{ readonly streamId: string; readonly commits: readonly (readonly BankEvent[])[] }>;
  readonly events: number;
  readonly commits: number;
}

export function writePlan(seed: number, streams: number, commitsPerStream: number, eventsPerCommit: number): WritePlan {
  const generator = new EventGenerator(seed);
  const planned = Array.from({ length: streams }, () => {
    const streamId = generator.accountStreamId();
    return { streamId, commits: Array.from({ length: commitsPerStream }, () => generator.batch(streamId, eventsPerCommit)) };
  });
  return { streams: planned, commits: streams * commitsPerStream, events: streams * commitsPerStream * eventsPerCommit };
}

/**
 * Appends the plan the way aggregates do: each stream's commits in order, each at the version the
 * previous append returned; `concurrency` streams in flight at once. Resolves to events per second.
 */
export async function runWritePlan(contender: Contender, plan: WritePlan, concurrency: number): Promise<number> {
  const started = process.hrtime.bigint();
  await forEachConcurrently(plan.streams, concurrency, async ({ streamId, commits }) => {
    let version = 0;
    for (const events of commits) version = await contender.append(streamId, events, version);
  });
  return plan.events / secondsSince(started);
}

/** Reads the whole stream `times` times, one read after the other; resolves to events per second. */
export async function runFullRead(contender: Contender, streamId: string, expectedEvents: number, times: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i++) {
    const count = await contender.readAll(streamId);
    if (count !== expectedEvents) throw new Error(`${contender.name} read ${count} events of stream ${streamId}; expected ${expectedEvents}.`);
  }
  return (expectedEvents * times) / secondsSince(started);
}

/** Runs `task` for every item, at most `concurrency` at a time. */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

const secondsSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
