/**
 * What OpenTelemetry costs an append: sequential 1-event appends by six apps on one table, each
 * with its own client, in rounds whose order rotates (the n-way form of interleaved-rounds.ts), so
 * that machine noise and drift hit every variant alike:
 *
 * - `telemetry: false`: the module records nothing and never loads `@opentelemetry/api`.
 * - `telemetry` left out, `@opentelemetry/api` installed, no SDK: the common default. The module
 *   loads the API and calls it; with no provider registered the tracer and meter are no-ops.
 * - `telemetry: false` with a context manager registered: what the AsyncLocalStorage context
 *   manager (which the SDK registers) costs an app by itself, not the module's doing.
 * - The SDK as in production: a BatchSpanProcessor (every span sampled) and a periodic metric
 *   reader, with the context manager. Its exporters count and drop: the bench measures the
 *   module's recording, not an exporter's serialization or network.
 * - The same without metrics (a no-op meter), and the same without consumed capacity (the
 *   module's middleware that asks DynamoDB for it removed from that app's client): where the
 *   SDK's overhead goes.
 *
 * The global context manager is what `context.with` runs on; it is registered for the rounds of the
 * variants that have it and unregistered for the others, so the no-SDK default is measured as an
 * app without the SDK runs it (OpenTelemetry's no-op context manager).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoDBClient, DeleteTableCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { context, createNoopMeter } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DynamoEventSourcingModule, EventStore, type DynamoEventSourcingModuleOptions, type MeterProviderLike } from '../lib/index.js';
import { BENCH_EVENT_CLASSES, smallDeposit } from './events.js';
import { median } from './interleaved-rounds.js';
import { printTable, round } from './report.js';

const deposit = smallDeposit;

/**
 * ~55 s on 2 cores with DynamoDB Local (~2.5 ms an append): 6 variants x (800 + 55 x 50) appends.
 * Many short rounds: each round's six runs lie within a second, so that the host's other load
 * (the differences sought are a few % of an append) hits each pair alike.
 */
const SETTINGS = { warmupAppends: 800, rounds: 55, appendsPerRound: 50 };

/** The name of the module's middleware that asks DynamoDB for consumed capacity (lib/telemetry/dynamodb-request.middleware.ts). */
const CAPACITY_MIDDLEWARE = 'nestjs-dynamo-es:consumedCapacity';

/** One variant's figures; the overheads are medians of its per-round differences with a variant of the same round. */
export interface TelemetryVariantResult {
  variant: string;
  /** Median over rounds of the mean latency of a sequential append, in µs. */
  micros_per_append: number;
  /** Against `telemetry: false` without a context manager: what the app pays in all. */
  overhead_micros: number;
  overhead_percent: number;
  /** The quartiles of those per-round differences: their spread shows the noise. */
  overhead_quartiles_micros: [number, number];
  /**
   * This process's CPU time (user + system) per append, median over rounds, and its overhead
   * likewise: steadier than the latency on a busy host, and what telemetry spends in the app.
   */
  cpu_micros_per_append: number;
  cpu_overhead_micros: number;
  /** SDK variants: against `telemetry: false` with the same context manager: the module's own share. */
  module_overhead_micros?: number;
  /** SDK variants: spans exported per append. */
  spans_per_append?: number;
}

/** The telemetry row of bench/results.json. */
export interface TelemetryCostResult {
  workload: string;
  rounds: number;
  appends_per_round: number;
  variants: TelemetryVariantResult[];
}

type VariantKey = 'off' | 'apiOnly' | 'offWithContextManager' | 'sdk' | 'sdkNoMetrics' | 'sdkNoCapacity';

interface Variant {
  readonly key: VariantKey;
  readonly label: string;
  readonly telemetry: DynamoEventSourcingModuleOptions['telemetry'];
  /** Whether its rounds run with the AsyncLocalStorage context manager registered, as under the SDK. */
  readonly contextManager: boolean;
  /** Counts the spans its SDK exported (SDK variants). */
  readonly spans?: CountingSpanExporter;
  /** Exports the spans it has batched (SDK variants). */
  readonly flush?: () => Promise<void>;
  /** Shuts its providers down (SDK variants). */
  readonly shutdown?: () => Promise<void>;
  /** Changes its app's client once started. */
  readonly adjustClient?: (client: DynamoDBClient) => void;
}

/** Counts the spans it is given and drops them (ExportResultCode.SUCCESS is 0). */
class CountingSpanExporter implements SpanExporter {
  count = 0;
  export(spans: Parameters<SpanExporter['export']>[0], done: Parameters<SpanExporter['export']>[1]): void {
    this.count += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

/** The SDK's providers as an app sets them up for production: batched spans, metrics read every 60 s (the default). */
function sdkVariant(key: VariantKey, label: string, parts: { metrics: boolean }, adjustClient?: Variant['adjustClient']): Variant {
  const spans = new CountingSpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
  const meterProvider = parts.metrics ? new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE) })] }) : undefined;
  const noMeter: MeterProviderLike = { getMeter: () => createNoopMeter() };
  return {
    key,
    label,
    telemetry: { tracerProvider, meterProvider: meterProvider ?? noMeter },
    contextManager: true,
    spans,
    flush: () => tracerProvider.forceFlush(),
    shutdown: async () => {
      await tracerProvider.shutdown();
      await meterProvider?.shutdown();
    },
    adjustClient,
  };
}

function variants(): Variant[] {
  return [
    { key: 'off', label: 'telemetry: false', telemetry: false, contextManager: false },
    { key: 'apiOnly', label: '@opentelemetry/api, no SDK (option left out)', telemetry: undefined, contextManager: false },
    { key: 'offWithContextManager', label: 'telemetry: false, context manager registered', telemetry: false, contextManager: true },
    sdkVariant('sdk', 'SDK: BatchSpanProcessor + metrics', { metrics: true }),
    sdkVariant('sdkNoMetrics', 'SDK: BatchSpanProcessor, no metrics', { metrics: false }),
    sdkVariant('sdkNoCapacity', 'SDK: BatchSpanProcessor + metrics, no consumed capacity', { metrics: true }, (client) => {
      if (!client.middlewareStack.remove(CAPACITY_MIDDLEWARE)) throw new Error(`telemetry bench: no middleware ${CAPACITY_MIDDLEWARE} on the client to remove`);
    }),
  ];
}

async function startApp(client: DynamoDBClient, table: string, telemetry: DynamoEventSourcingModuleOptions['telemetry']) {
  @Module({
    imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: table }, events: BENCH_EVENT_CLASSES, feed: false, telemetry })],
  })
  class TelemetryBenchModule {}
  const app = await NestFactory.createApplicationContext(TelemetryBenchModule, { logger: ['error', 'warn'], abortOnError: false });
  return { store: app.get(EventStore), close: () => app.close() };
}

/** Registers OpenTelemetry's global context manager, or unregisters it (the API's no-op one then). */
class ContextManagerSwitch {
  private on = false;
  set(on: boolean): void {
    if (on === this.on) return;
    if (on) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    else context.disable();
    this.on = on;
  }
}

export async function telemetryCostWorkload(clientConfig: DynamoDBClientConfig, table: string): Promise<TelemetryCostResult> {
  const all = variants();
  const contextManager = new ContextManagerSwitch();
  const clients = new Map<VariantKey, DynamoDBClient>();
  const apps = new Map<VariantKey, Awaited<ReturnType<typeof startApp>>>();
  let streams = 0;
  const appendMany = async (variant: Variant, count: number) => {
    contextManager.set(variant.contextManager);
    const store = apps.get(variant.key)!.store;
    const started = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < count; i++) await store.append(`tel-${++streams}`, [deposit(streams)], { expectedVersion: 'no-stream' });
    const { user, system } = process.cpuUsage(cpu);
    return { wall: ((performance.now() - started) * 1000) / count, cpu: (user + system) / count }; // µs per append
  };
  /** Each variant once per round; round r starts with variant r (mod n), so that each takes every place in turn. */
  const rotatedRounds = async (rounds: number, count: number) => {
    const micros = new Map<VariantKey, { wall: number[]; cpu: number[] }>(all.map((variant) => [variant.key, { wall: [], cpu: [] }]));
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < all.length; i++) {
        const variant = all[(r + i) % all.length]!;
        const { wall, cpu } = await appendMany(variant, count);
        micros.get(variant.key)!.wall.push(wall);
        micros.get(variant.key)!.cpu.push(cpu);
      }
    }
    return micros;
  };
  try {
    // One client each: a traced app's client carries the module's middlewares, the others' none.
    for (const variant of all) {
      const client = new DynamoDBClient(clientConfig);
      clients.set(variant.key, client);
      apps.set(variant.key, await startApp(client, table, variant.telemetry));
      variant.adjustClient?.(client);
    }
    const { warmupAppends, rounds, appendsPerRound } = SETTINGS;
    console.log(`telemetry: ${all.length} variants, ${warmupAppends} warm-up appends each, ${rounds} rotated rounds of ${appendsPerRound} sequential 1-event appends each`);
    await rotatedRounds(1, warmupAppends);
    for (const variant of all) {
      await variant.flush?.();
      if (variant.spans !== undefined) variant.spans.count = 0;
    }
    const micros = await rotatedRounds(rounds, appendsPerRound);
    contextManager.set(false);
    for (const variant of all) await variant.shutdown?.(); // flushes the batched spans before they are counted
    const of = (key: VariantKey, measure: 'wall' | 'cpu' = 'wall') => micros.get(key)![measure];
    const differences = (key: VariantKey, baseline: VariantKey, measure: 'wall' | 'cpu' = 'wall') => of(key, measure).map((value, r) => value - of(baseline, measure)[r]!);
    const pairedDifference = (key: VariantKey, baseline: VariantKey) => median(differences(key, baseline));
    const offMicros = median(of('off'));
    return {
      workload: 'telemetry cost of a sequential 1-event append (µs; overheads: median of per-round differences)',
      rounds,
      appends_per_round: appendsPerRound,
      variants: all.map((variant) => {
        const overhead = pairedDifference(variant.key, 'off');
        const result: TelemetryVariantResult = {
          variant: variant.label,
          micros_per_append: Math.round(median(of(variant.key))),
          overhead_micros: Math.round(overhead),
          overhead_percent: round((overhead / offMicros) * 100, 1),
          overhead_quartiles_micros: quartiles(differences(variant.key, 'off')),
          cpu_micros_per_append: Math.round(median(of(variant.key, 'cpu'))),
          cpu_overhead_micros: Math.round(median(differences(variant.key, 'off', 'cpu'))),
        };
        if (variant.spans !== undefined) {
          result.module_overhead_micros = Math.round(pairedDifference(variant.key, 'offWithContextManager'));
          result.spans_per_append = round(variant.spans.count / (rounds * appendsPerRound), 2);
        }
        return result;
      }),
    };
  } finally {
    contextManager.set(false);
    for (const app of apps.values()) await app.close();
    const [first] = clients.values();
    await first?.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    for (const client of clients.values()) client.destroy();
  }
}

/** The first and third quartiles (nearest rank), rounded to µs. */
function quartiles(values: readonly number[]): [number, number] {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
  return [at(0.25), at(0.75)];
}

export function printTelemetryCost(cost: TelemetryCostResult): TelemetryCostResult {
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
  console.log(`\nOpenTelemetry cost of a sequential 1-event append (median of ${cost.rounds} rotated rounds of ${cost.appends_per_round} appends per variant;`);
  console.log('overheads: median (and quartiles) of the per-round differences, against telemetry: false without a context manager, and for the SDK');
  console.log("against telemetry: false with the same context manager (the module's own share); CPU: this process's user + system");
  console.log('time per append, its overhead likewise; spans exported to a counter)');
  printTable(
    ['variant', 'µs/append', 'overhead µs', 'overhead %', 'quartiles µs', "module's share µs", 'CPU µs/append', 'CPU overhead µs', 'spans/append'],
    cost.variants.map((v) => [
      v.variant,
      String(v.micros_per_append),
      signed(v.overhead_micros),
      signed(v.overhead_percent),
      `${signed(v.overhead_quartiles_micros[0])}..${signed(v.overhead_quartiles_micros[1])}`,
      v.module_overhead_micros === undefined ? '-' : signed(v.module_overhead_micros),
      String(v.cpu_micros_per_append),
      signed(v.cpu_overhead_micros),
      v.spans_per_append === undefined ? '-' : v.spans_per_append.toFixed(2),
    ]),
  );
  return cost;
}
