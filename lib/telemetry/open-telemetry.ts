import {
  context,
  createContextKey,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type BatchObservableResult,
  type Context,
  type Meter,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ProjectionStatus } from '../projections/interfaces/projection-status.interface.js';
import { readActiveOperationWith, type ActiveOperation } from './active-operation.js';
import type { TelemetryOptions } from './interfaces/telemetry-options.interface.js';
import { INSTRUMENTATION_SCOPE, SpanAttribute as A, SpanName } from './span-names.js';
import type { AppendFacts, AppendOutcome, LazyAttributes, Telemetry, TelemetryAttributes } from './telemetry.js';
import { createInstruments, type Instruments } from './metrics.js';
import { OperationRecord } from './operation-record.js';
import { instrumentDynamoDbClient } from './dynamodb-request.middleware.js';

/**
 * This file is the only one that imports `@opentelemetry/api`, and it is loaded with a dynamic
 * import when the module starts (create-telemetry.ts): an app without the API never loads it.
 */

const OPERATION = createContextKey('nestjs-dynamo-es operation');
readActiveOperationWith(() => context.active().getValue(OPERATION) as ActiveOperation | undefined);

/** Spans that stand for requests to DynamoDB (CLIENT); the others group work of the module's own (INTERNAL). */
const CLIENT_SPANS: ReadonlySet<SpanName> = new Set([SpanName.commitWrite, SpanName.read, SpanName.replayPage, SpanName.feedPage, SpanName.snapshotSave, SpanName.snapshotLoad]);
const DATABASE: Attributes = { [A.dbSystem]: 'dynamodb', [A.dbSystemName]: 'aws.dynamodb' };
const APPEND_METRIC: Attributes = { [A.dbSystemName]: 'aws.dynamodb' };

function setDefined(span: Span, attributes: TelemetryAttributes): void {
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== undefined) span.setAttribute(key, value as string | number | boolean | string[]);
  }
}

/** Records a failure on its span: status ERROR, the exception, its class and the typed error's code. */
function recordFailure(span: Span, error: unknown): void {
  const { name, message, code } = (error ?? {}) as { name?: string; message?: string; code?: unknown };
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(A.errorType, name ?? 'Error');
  if (typeof code === 'string') span.setAttribute(A.errorCode, code);
}

/** The module's telemetry on OpenTelemetry's API: spans from a Tracer, metrics from a Meter. */
export class OpenTelemetry implements Telemetry {
  readonly enabled = true;
  private readonly tracer: Tracer;
  private readonly meter: Meter;
  private readonly instruments: Instruments;

  constructor(options: TelemetryOptions = {}) {
    this.tracer = ((options.tracerProvider as TracerProvider | undefined) ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
    this.meter = ((options.meterProvider as MeterProvider | undefined) ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
    this.instruments = createInstruments(this.meter);
  }

  async trace<T>(name: SpanName, attributes: LazyAttributes | undefined, run: () => Promise<T>, resultAttributes?: (result: T) => TelemetryAttributes): Promise<T> {
    const { span, record, active } = this.start(name, attributes);
    try {
      const result = await context.with(active, run);
      if (record.recording && resultAttributes !== undefined) {
        const attributes = resultAttributes(result);
        setDefined(span, attributes);
        // An outcome that is a failure without a throw (a handler given up on) says so with error.type.
        if (attributes[A.errorType] !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      return result;
    } catch (error) {
      if (record.recording) recordFailure(span, error);
      throw error;
    } finally {
      record.end();
    }
  }

  async traceAppend<T extends AppendOutcome>(facts: AppendFacts, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const { span, record, active } = this.start(SpanName.append, () => ({
      [A.streamId]: facts.streamId,
      [A.expectedVersion]: String(facts.expectedVersion),
      [A.eventCount]: facts.eventCount,
      [A.commitId]: facts.commitId,
    }));
    try {
      const result = await context.with(active, run);
      this.instruments.appendDuration.record(performance.now() - started, APPEND_METRIC);
      if (!result.duplicate) this.instruments.eventsAppended.add(facts.eventCount, APPEND_METRIC);
      if (record.recording) {
        span.setAttributes({ [A.firstVersion]: result.version - facts.eventCount + 1, [A.lastVersion]: result.version, [A.duplicate]: result.duplicate });
      }
      return result;
    } catch (error) {
      const errorType = (error as Error)?.name ?? 'Error';
      this.instruments.appendDuration.record(performance.now() - started, { ...APPEND_METRIC, [A.errorType]: errorType });
      if ((error as { code?: unknown })?.code === 'CONCURRENCY') this.instruments.conflicts.add(1, APPEND_METRIC);
      if (record.recording) recordFailure(span, error);
      throw error;
    } finally {
      record.end();
    }
  }

  async *traceReading<T>(name: SpanName, attributes: LazyAttributes | undefined, read: () => AsyncGenerator<T[]>): AsyncGenerator<T[]> {
    const { span, record, active } = this.start(name, attributes);
    const source = context.with(active, read);
    let count = 0;
    let done = false;
    try {
      for (;;) {
        // Each pull in the span's context: the requests it makes nest under the span (a generator resumes in its caller's).
        const next = await context.with(active, () => source.next());
        if (next.done === true) {
          done = true;
          return;
        }
        count += next.value.length;
        yield next.value;
      }
    } catch (error) {
      if (record.recording) recordFailure(span, error);
      throw error;
    } finally {
      if (!done) await context.with(active, () => source.return(undefined));
      if (record.recording) span.setAttribute(A.eventCount, count);
      record.end();
    }
  }

  async *tracePages<P>(name: SpanName, attributes: LazyAttributes | undefined, pages: AsyncGenerator<P>, size: (page: P) => number): AsyncGenerator<P> {
    let done = false;
    try {
      for (;;) {
        const page = await this.trace(name, attributes, () => pages.next(), (next) => ({ [A.eventCount]: next.done === true ? 0 : size(next.value) }));
        if (page.done === true) {
          done = true;
          return;
        }
        yield page.value;
      }
    } finally {
      if (!done) await pages.return(undefined);
    }
  }

  observeProjections(statuses: () => readonly ProjectionStatus[]): () => void {
    const { lagCommits, lagAge } = this.instruments;
    const observe = (result: BatchObservableResult) => {
      let current: readonly ProjectionStatus[];
      try {
        current = statuses();
      } catch {
        return; // not ready yet (or shutting down): nothing to report this time
      }
      for (const status of current) {
        const lags = status.partitions === undefined
          ? [{ state: status.state, lag: status.lag, attributes: { [A.projection]: status.name } }]
          : status.partitions.filter((partition) => partition.here).map((partition) => ({ state: partition.state, lag: partition.lag, attributes: { [A.projection]: status.name, [A.partition]: partition.partition } }));
        for (const { state, lag, attributes } of lags) {
          // Standing by or stopped, the lag last seen is another instance's business now.
          if (lag === undefined || state === 'standby' || state === 'stopped') continue;
          result.observe(lagCommits, lag.commits, attributes);
          if (lag.ms !== undefined) result.observe(lagAge, lag.ms, attributes);
        }
      }
    };
    this.meter.addBatchObservableCallback(observe, [lagCommits, lagAge]);
    return () => this.meter.removeBatchObservableCallback(observe, [lagCommits, lagAge]);
  }

  /** Starts a span under the active one, and the record that collects what requests report to it. */
  private start(name: SpanName, attributes: LazyAttributes | undefined): { span: Span; record: OperationRecord; active: Context } {
    const parent = context.active();
    const span = this.tracer.startSpan(name, { kind: CLIENT_SPANS.has(name) ? SpanKind.CLIENT : SpanKind.INTERNAL }, parent);
    const recording = span.isRecording();
    if (recording) {
      if (CLIENT_SPANS.has(name)) span.setAttributes(DATABASE);
      if (attributes !== undefined) setDefined(span, attributes());
    }
    const record = new OperationRecord(span, recording, parent.getValue(OPERATION) as OperationRecord | undefined, this.instruments);
    return { span, record, active: trace.setSpan(parent, span).setValue(OPERATION, record) };
  }
}

/**
 * The module's telemetry, and its DynamoDB client instrumented (once) to report consumed capacity
 * and throttling to the span in progress. Called by create-telemetry.ts once this file is loaded.
 */
export function createOpenTelemetry(options: TelemetryOptions, client: DynamoDBClient): Telemetry {
  instrumentDynamoDbClient(client);
  return new OpenTelemetry(options);
}
