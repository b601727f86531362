import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@nestjs/common';
import { partitionKeys } from '../partitions/partition-keys.js';
import type { ProjectionLease, ProjectionStore } from '../projection-store.js';
import type { ParkedEventSource } from './parked-event-reader.js';
import type { ParkedEventStore } from './parked-event-store.js';
import { PartitionParking, type ParkedStreamMode, type RetryHandlers } from './partition-parking.js';
import { addReports, emptyRetryReport, type RetryReport } from './retry-report.js';

/** Options of a retry of a projection's parked events. */
export interface RetryParkedOptions {
  /** How long to wait for a live instance holding a partition to answer (ms). Default 60,000. */
  readonly timeoutMs?: number;
  /** How often to look for the answer, ms. Default 250. */
  readonly pollMs?: number;
  /** Stops waiting (what was retried stays retried). */
  readonly signal?: AbortSignal;
  /** Called once per partition with parked events, when it is done. */
  readonly onPartition?: (result: PartitionRetryResult) => void;
}

/** What came of one partition's retry. */
export type PartitionRetryResult =
  | { readonly partitionKey: string; readonly by: 'this-process' | 'holder'; readonly holder?: string; readonly report: RetryReport }
  /** A live instance holds the partition and did not answer in time (an older version, or stuck): nothing known. */
  | { readonly partitionKey: string; readonly by: 'unanswered'; readonly holder: string }
  /** A rebuild of the projection was cut short: it resets before anything is retried. */
  | { readonly partitionKey: string; readonly by: 'skipped-rebuilding' };

export interface RetryParkedResult {
  readonly partitions: readonly PartitionRetryResult[];
  /** The sum of the partitions' reports (unanswered ones not included). */
  readonly total: RetryReport;
  /** Partitions whose holder did not answer. */
  readonly unanswered: number;
}

/** What retrying needs, built by ProjectionManager.retryParked from the app's runtime and the projection's handlers. */
export interface RetryParkedDependencies {
  readonly projection: string;
  /** The stored partition count (storedPartitionCount). */
  readonly partitions: number;
  readonly mode: ParkedStreamMode;
  readonly leaseTtlMs: number;
  readonly store: ProjectionStore;
  readonly parked: ParkedEventStore;
  readonly handlers: RetryHandlers;
  readonly readEvent: ParkedEventSource;
  readonly logger: Logger;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 250;

/**
 * Retries a projection's parked events, partition by partition (those whose item counts parked
 * events): a partition whose lease is free is taken, retried here and released; one a live
 * instance holds is asked (`retryRequest`), and its answer awaited (`retryDone`, with the report),
 * up to `timeoutMs`; if its lease lapses meanwhile, it is taken and retried here.
 */
export async function retryParkedEvents(deps: RetryParkedDependencies, options: RetryParkedOptions = {}): Promise<RetryParkedResult> {
  const keys = partitionKeys(deps.projection, deps.partitions);
  const stored = await deps.store.readAll(keys);
  const results: PartitionRetryResult[] = [];
  for (const key of keys) {
    if ((stored.get(key)?.parkedCount ?? 0) <= 0) continue;
    if (options.signal?.aborted === true) break;
    const result = await retryPartition(deps, key, options);
    options.onPartition?.(result);
    results.push(result);
  }
  const total = results.reduce((sum, result) => ('report' in result ? addReports(sum, result.report) : sum), emptyRetryReport());
  return { partitions: results, total, unanswered: results.filter((result) => result.by === 'unanswered').length };
}

async function retryPartition(deps: RetryParkedDependencies, key: string, options: RetryParkedOptions): Promise<PartitionRetryResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + timeoutMs;
  let requestId: string | undefined;
  let holder = '';
  for (;;) {
    const taken = await retryHere(deps, key);
    if (taken !== undefined) {
      // Asked a holder first, which went away: the request must not make the next holder retry again.
      if (requestId !== undefined) await deps.parked.clearRetryRequest(key, requestId);
      return taken;
    }
    if (requestId === undefined) {
      requestId = randomUUID();
      await deps.parked.requestRetry(key, requestId);
    }
    const answer = await deps.parked.retryAnswer(key, requestId);
    if (answer.answered) {
      await deps.parked.clearRetryRequest(key, requestId);
      return { partitionKey: key, by: 'holder', holder, report: answer.report };
    }
    holder = answer.holder ?? holder;
    if (Date.now() >= deadline || options.signal?.aborted === true) return { partitionKey: key, by: 'unanswered', holder };
    await pause(Math.min(pollMs, Math.max(0, deadline - Date.now())), options.signal);
    // A holder that died lets its lease lapse: then the next round takes it.
  }
}

/** Takes the partition's lease if free, retries under it (renewing it meanwhile), releases it; undefined when a live instance holds it. */
async function retryHere(deps: RetryParkedDependencies, key: string): Promise<PartitionRetryResult | undefined> {
  const owner = `${hostname()}:${process.pid}:retry-${randomUUID().slice(0, 8)}`;
  const acquired = await deps.store.acquire(key, owner, deps.leaseTtlMs);
  if (!acquired.acquired) return undefined;
  let lease: ProjectionLease = acquired.lease;
  let renewal: NodeJS.Timeout | undefined;
  let renewing = Promise.resolve();
  let stopped = false;
  const renew = () => {
    renewal = setTimeout(() => {
      renewing = deps.store.renew(key, lease, deps.leaseTtlMs).then(
        (expiresAt) => {
          lease = { ...lease, expiresAt };
          if (!stopped) renew();
        },
        // A lost lease shows at the next fenced write, or the next event (expired): the retry stops there.
        () => undefined,
      );
    }, deps.leaseTtlMs / 3);
  };
  try {
    if (acquired.rebuilding) return { partitionKey: key, by: 'skipped-rebuilding' };
    renew();
    const parking = new PartitionParking(deps.parked, deps.projection, key, deps.mode, deps.logger);
    const report = await parking.retry(() => lease, deps.handlers, deps.readEvent);
    return { partitionKey: key, by: 'this-process', report };
  } finally {
    stopped = true;
    clearTimeout(renewal);
    await renewing;
    await deps.store.release(key, lease);
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
