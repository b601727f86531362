import type { Span } from '@opentelemetry/api';
import type { ActiveOperation } from './active-operation.js';
import type { Instruments } from './metrics.js';
import { SpanAttribute as A } from './span-names.js';

/** At most this many `ConsumedCapacity` entries are listed on one span (their units are summed regardless). */
const MAX_CAPACITY_ENTRIES = 32;

/**
 * What the requests of one traced operation report while it runs: retries, throttles, consumed
 * capacity, tables. Kept in OpenTelemetry's context next to the span; passed on to the enclosing
 * operations too (an aggregate save's span shows its append's capacity), and written on the span
 * when it ends.
 */
export class OperationRecord implements ActiveOperation {
  private retries = 0;
  private units = 0;
  private readonly capacity: string[] = [];
  private readonly tables = new Set<string>();

  constructor(
    private readonly span: Span,
    readonly recording: boolean,
    private readonly parent: OperationRecord | undefined,
    private readonly instruments: Instruments,
  ) {}

  retried(reason: string): void {
    this.instruments.retries.add(1, { [A.errorType]: reason });
    for (let record: OperationRecord | undefined = this; record !== undefined; record = record.parent) record.retries++;
  }

  throttled(reason: string): void {
    this.instruments.throttles.add(1, { [A.errorType]: reason });
  }

  consumed(capacity: readonly object[], tables: readonly string[]): void {
    for (let record: OperationRecord | undefined = this; record !== undefined; record = record.parent) {
      if (!record.recording) continue;
      for (const entry of capacity) {
        record.units += (entry as { CapacityUnits?: number }).CapacityUnits ?? 0;
        if (record.capacity.length < MAX_CAPACITY_ENTRIES) record.capacity.push(JSON.stringify(entry));
      }
      for (const table of tables) record.tables.add(table);
    }
  }

  /** Writes what was reported on the span, and ends it. */
  end(): void {
    if (this.recording) {
      this.span.setAttribute(A.retries, this.retries);
      if (this.tables.size > 0) this.span.setAttribute(A.tableNames, [...this.tables]);
      if (this.capacity.length > 0) {
        this.span.setAttribute(A.consumedCapacity, this.capacity);
        this.span.setAttribute(A.capacityUnits, this.units);
      }
    }
    this.span.end();
  }
}
