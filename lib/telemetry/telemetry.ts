import type { ProjectionStatus } from '../projections/interfaces/projection-status.interface.js';
import type { SpanName } from './span-names.js';

/** What a span attribute may hold (OpenTelemetry's attribute values; undefined ones are left out). */
export type TelemetryAttributeValue = string | number | boolean | readonly string[] | undefined;
export type TelemetryAttributes = Readonly<Record<string, TelemetryAttributeValue>>;

/**
 * Attributes computed only when the span records: a function, so that an app whose tracer samples
 * nothing (or has no OpenTelemetry SDK) never builds them.
 */
export type LazyAttributes = () => TelemetryAttributes;

/** What an append is, once its input is checked (plain values the caller has at hand already). */
export interface AppendFacts {
  readonly streamId: string;
  readonly expectedVersion: string | number;
  readonly eventCount: number;
  readonly commitId: string;
}

/** What an append's result says of it. */
export interface AppendOutcome {
  /** The version of the commit's last event. */
  readonly version: number;
  readonly duplicate: boolean;
}

/**
 * The module's spans and metrics, as its logic sees them: a thin wrapper around an operation. The
 * OpenTelemetry adapter (open-telemetry.ts) records; the no-op (no-telemetry.ts) only calls through.
 * Logic files never see OpenTelemetry's API, which is loaded at start-up when it is installed.
 */
export interface Telemetry {
  /** False for the no-op: nothing is recorded. */
  readonly enabled: boolean;

  /**
   * Runs `run` in a span named `name`, nested under the caller's active span, with `attributes`
   * (built only when the span records) and, once `run` resolves, `resultAttributes(result)`. A
   * throw is recorded on the span (status ERROR, `error.type`, the typed error's code) and rethrown;
   * result attributes that hold `error.type` mark a failure that resolved (a handler given up on).
   */
  trace<T>(name: SpanName, attributes: LazyAttributes | undefined, run: () => Promise<T>, resultAttributes?: (result: T) => TelemetryAttributes): Promise<T>;

  /**
   * Runs an append in its span: `nestjs_dynamo_es` attributes from `facts` and, once it resolves,
   * the versions written; records the append duration, the events appended, and conflicts.
   */
  traceAppend<T extends AppendOutcome>(facts: AppendFacts, run: () => Promise<T>): Promise<T>;

  /**
   * Wraps a lazy reading in one span that lasts from the first pull to the last (or to the
   * consumer's `break`), counting the items of the arrays it yields (`nestjs_dynamo_es.event.count`).
   */
  traceReading<T>(name: SpanName, attributes: LazyAttributes | undefined, read: () => AsyncGenerator<T[]>): AsyncGenerator<T[]>;

  /**
   * Wraps a paged reading so that each page's pull is a span of its own (`replay$`, `replayAll$`):
   * the requests that read the page nest under it, and it ends once the page is read, with the
   * page's `size` as its event count.
   */
  tracePages<P>(name: SpanName, attributes: LazyAttributes | undefined, pages: AsyncGenerator<P>, size: (page: P) => number): AsyncGenerator<P>;

  /**
   * Feeds the projection lag gauges from `statuses` (each time a metric reader collects), until
   * the returned function is called. Lag is reported per projection and, when partitioned, per
   * partition of this instance.
   */
  observeProjections(statuses: () => readonly ProjectionStatus[]): () => void;
}
