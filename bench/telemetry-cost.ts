/**
 * What OpenTelemetry costs an append: 1-event appends with `telemetry: false` against the same
 * appends traced by the OpenTelemetry SDK (every span sampled and exported to memory, metrics on,
 * consumed capacity asked for) in two apps on one table, interleaved round by round.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoDBClient, DeleteTableCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { DynamoEventSourcingModule, EventStore, type DynamoEventSourcingModuleOptions } from '../lib/index.js';
import { BENCH_EVENT_CLASSES, MoneyDeposited } from './events.js';
import { interleavedRounds, median } from './interleaved-rounds.js';

/** A small deposit (the write workloads' events are larger; here only the per-append overhead matters). */
const deposit = (n: number) =>
  new MoneyDeposited({
    accountId: `a${n}`,
    transactionId: `t${n}`,
    money: { amount: 100, currency: 'EUR' },
    sourceIban: 'DE00',
    depositor: { name: 'bench', country: 'DE' },
    channel: 'api',
    bookedAt: '2026-01-01',
    balanceAfter: 100,
    memo: '',
  });

const SETTINGS = { warmupAppends: 2_000, rounds: 11, appendsPerRound: 300 };

export interface TelemetryCost {
  /** Median over rounds of the mean append latency, in µs. */
  readonly offMicros: number;
  readonly tracedMicros: number;
  readonly overheadMicros: number;
  readonly overheadPercent: number;
  readonly spansPerAppend: number;
}

async function startApp(client: DynamoDBClient, table: string, telemetry: DynamoEventSourcingModuleOptions['telemetry']) {
  @Module({
    imports: [CqrsModule.forRoot(), DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: table }, events: BENCH_EVENT_CLASSES, feed: false, telemetry })],
  })
  class TelemetryBenchModule {}
  const app = await NestFactory.createApplicationContext(TelemetryBenchModule, { logger: ['error', 'warn'], abortOnError: false });
  return { store: app.get(EventStore), close: () => app.close() };
}

export async function telemetryCostWorkload(clientConfig: DynamoDBClientConfig, table: string): Promise<TelemetryCost> {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const meterProvider = new MeterProvider();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // One client each: the traced app's client carries the module's middlewares, the other's none.
  const clients = { off: new DynamoDBClient(clientConfig), traced: new DynamoDBClient(clientConfig) };
  const off = await startApp(clients.off, table, false);
  const traced = await startApp(clients.traced, table, { tracerProvider, meterProvider });
  // interleavedRounds' two sides: "module" is the traced app, "baseline" the one with telemetry off.
  type Side = { readonly name: 'module' | 'baseline'; readonly store: EventStore };
  const contenders: { module: Side; baseline: Side } = { module: { name: 'module', store: traced.store }, baseline: { name: 'baseline', store: off.store } };
  let streams = 0;
  const appendMany = async (store: EventStore, count: number) => {
    const started = performance.now();
    for (let i = 0; i < count; i++) await store.append(`tel-${++streams}`, [deposit(streams)], { expectedVersion: 'no-stream' });
    return ((performance.now() - started) * 1000) / count; // µs per append
  };
  try {
    console.log(`telemetry: ${SETTINGS.warmupAppends} warm-up appends each, ${SETTINGS.rounds} rounds of ${SETTINGS.appendsPerRound} sequential 1-event appends`);
    await interleavedRounds(1, contenders.module, contenders.baseline, (contender) => appendMany(contender.store, SETTINGS.warmupAppends));
    spans.reset();
    const micros = await interleavedRounds(SETTINGS.rounds, contenders.module, contenders.baseline, (contender) => appendMany(contender.store, SETTINGS.appendsPerRound));
    const spansPerAppend = spans.getFinishedSpans().length / (SETTINGS.rounds * SETTINGS.appendsPerRound);
    const offMicros = median(micros.baseline);
    const tracedMicros = median(micros.module);
    return { offMicros, tracedMicros, overheadMicros: tracedMicros - offMicros, overheadPercent: ((tracedMicros - offMicros) / offMicros) * 100, spansPerAppend };
  } finally {
    await traced.close();
    await off.close();
    context.disable();
    await clients.off.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    clients.off.destroy();
    clients.traced.destroy();
  }
}

export function printTelemetryCost(cost: TelemetryCost): void {
  const us = (value: number) => `${value.toFixed(0)} µs`;
  console.log('\nOpenTelemetry cost of a 1-event append (median of rounds, sequential appends):');
  console.log(`  telemetry: false            ${us(cost.offMicros)}`);
  console.log(`  SDK, in-memory exporter     ${us(cost.tracedMicros)}  (${cost.spansPerAppend.toFixed(1)} spans per append)`);
  console.log(`  overhead                    ${us(cost.overheadMicros)} (${cost.overheadPercent.toFixed(1)} %)`);
}
