/**
 * What issue 13 (stream lifecycle, crypto-shredding) costs the ordinary operations, on apps in this
 * process, each with its own client and table (`feed: false`: only the operation itself is
 * measured, not an indexer's background traffic), in rotated rounds (rotated-variants.ts):
 *
 * - Appends of one event: the raw SDK baseline (one conditional PutItem), the module as it was
 *   before issue 13 (a build of BENCH_LIFECYCLE_REFERENCE, default b1bbe9e: reference-build.ts), and
 *   the module now. Each stream gets 10 commits at exact expected versions (the first `no-stream`),
 *   as an aggregate's commits come.
 * - Reads of a 10-event stream (10 commits) from version 1, and from version 8 (an aggregate loading
 *   after its snapshot): the same three. Reads now also get the stream's metadata item (a GetItem
 *   sent with the first Query). DynamoDB Local answers in ~1.5 ms, mostly CPU on the same two cores,
 *   so two requests sent together barely overlap there: the same reads run again with a simulated
 *   network round trip (SIMULATED_RTT_MS added to every request of those apps' clients), as
 *   against the real service, where the request in parallel should cost little more than its CPU.
 * - Crypto-shredding, on an app with `personalData` (local key wrapping): a customer event with two
 *   `@PersonalData` fields and a `@DataSubject`, against the same class without them and the raw SDK
 *   writing or reading the plain one; appends for subjects whose key exists (a pool of 40), and
 *   appends of a new subject's first event (its key made and stored first).
 *
 * Latency: each op's, median and quartiles over the timed rounds; differences: the median (and
 * quartiles) of the per-round differences of mean latency with the row it is compared with; ratio:
 * the median of the per-round ratios raw/variant (events/s, as the other groups: >1 is faster than
 * raw). CPU: this process's user + system time per op (the client side: DynamoDB Local is another
 * process). Units: one more metered run of each variant, by DynamoDB's billing rules (cost-model.ts).
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoDBClient, QueryCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { randomBytes } from 'node:crypto';
import type { DynamoEventSourcingModuleOptions, EventStore } from '../lib/index.js';
import * as current from '../lib/index.js';
import { CapacityMeter } from './capacity-meter.js';
import { BaselineContender, countStreamEvents } from './contenders.js';
import { customerDetails, PlainCustomerRegistered, SealedCustomerRegistered } from './customer-events.js';
import { createBaselineTable, deleteTables } from './dynamodb-target.js';
import { BENCH_EVENT_CLASSES, smallDeposit, type BankEvent } from './events.js';
import { median } from './interleaved-rounds.js';
import { referenceBuild } from './reference-build.js';
import { formatUnits, printTable, round, roundUnits } from './report.js';
import { quantile, rotatedVariantRounds, type TimedVariant, type VariantSamples } from './rotated-variants.js';

/** ~1.2 min on 2 cores with DynamoDB Local: 7 append variants x (300 + 24 x 30) ops, 12 read variants x (150 + 24 x 15). */
const SETTINGS = { rounds: 24, appendsPerRound: 30, readsPerRound: 15, warmupAppends: 300, warmupReads: 150, costOps: 40, subjects: 40, streamEvents: 10, laterFrom: 8 };

/** Added before every request of the "simulated round trip" read rows' clients: a network round trip to DynamoDB in the same region. */
const SIMULATED_RTT_MS = 4;

/** The commit whose build gives the "before" rows; `none` leaves them out. */
const REFERENCE = process.env.BENCH_LIFECYCLE_REFERENCE?.trim() || 'b1bbe9e';

/** One row of the lifecycle results. */
export interface LifecycleCostRow {
  variant: string;
  operation: 'append' | 'read';
  /** Each op's latency over the timed rounds, µs. */
  micros_median: number;
  micros_quartiles: [number, number];
  /** Median of the per-round ratios: raw SDK mean latency / this variant's (>1: faster than raw). */
  ratio_vs_raw: number;
  /** The row this one is compared with, and the median (and quartiles) of the per-round differences of mean latency, µs. */
  against?: string;
  difference_micros?: number;
  difference_quartiles_micros?: [number, number];
  difference_percent?: number;
  /** This process's CPU time per op (median over rounds), µs, and its difference with `against`. */
  cpu_micros_per_op: number;
  cpu_difference_micros?: number;
  /** The metered run: requests per op by command, and units per op by the billing rules. */
  requests_per_op: string;
  /** Bytes of the items written or read per op (events, and key items), as DynamoDB sizes them. */
  item_bytes_per_op: number;
  write_units_per_op: number;
  read_units_per_op: number;
}

/** The lifecycle row of bench/results.json. */
export interface LifecycleCostResult {
  workload: string;
  /** The commit the "before" rows ran, or null when they were left out (and why, in `note`). */
  reference_commit: string | null;
  note?: string;
  rounds: number;
  appends_per_round: number;
  reads_per_round: number;
  rows: LifecycleCostRow[];
}

/** A variant as run and reported. */
interface Variant extends TimedVariant {
  readonly label: string;
  readonly operation: 'append' | 'read';
  /** The raw SDK variant of the same kind: the ratio's denominator. */
  readonly raw: string;
  /** The variant whose latency this one's difference is taken against. */
  readonly against?: string;
  readonly meter: CapacityMeter;
}

/** The module's exports that the bench uses, from either build. */
type ModuleExports = Pick<typeof current, 'DynamoEventSourcingModule' | 'EventStore'>;

async function startApp(exports: ModuleExports, client: DynamoDBClient, table: string, extra: Partial<DynamoEventSourcingModuleOptions> = {}) {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      exports.DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: table }, events: BENCH_EVENT_CLASSES, feed: false, ...extra }),
    ],
  })
  class LifecycleBenchModule {}
  const app = await NestFactory.createApplicationContext(LifecycleBenchModule, { logger: ['error', 'warn'], abortOnError: false });
  return { store: app.get<EventStore>(exports.EventStore as typeof EventStore), close: () => app.close() };
}

const deposit = smallDeposit;

/** Streams of 10 commits of one event: op k appends to stream k / 10 at its exact version. */
function moduleAppends(store: EventStore, prefix: string, event: (k: number) => object): () => Promise<void> {
  let k = 0;
  return async () => {
    const at = k % 10;
    await store.append(`${prefix}-${Math.floor(k / 10)}`, [event(k)], { expectedVersion: at === 0 ? 'no-stream' : at });
    k++;
  };
}

function rawAppends(raw: BaselineContender, prefix: string, event: (k: number) => object): () => Promise<void> {
  let k = 0;
  return async () => {
    await raw.append(`${prefix}-${Math.floor(k / 10)}`, [event(k) as BankEvent], k % 10);
    k++;
  };
}

/** The raw SDK's read of a stream from a version: one strongly consistent Query (the bench's items hold one event each), parsed. */
async function rawReadFrom(client: DynamoDBClient, table: string, streamId: string, from: number): Promise<number> {
  const { Items = [] } = await client.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'streamId = :s AND version >= :v',
      ExpressionAttributeValues: { ':s': { S: streamId }, ':v': { N: String(from) } },
      ConsistentRead: true,
    }),
  );
  return Items.reduce((count, item) => count + (JSON.parse(item.events!.S!) as unknown[]).length, 0);
}

/** A read op over `streams`, in turn, checking the count it gets. */
function reads(streams: readonly string[], expected: number, read: (streamId: string) => Promise<number>): () => Promise<void> {
  let k = 0;
  return async () => {
    const count = await read(streams[k++ % streams.length]!);
    if (count !== expected) throw new Error(`lifecycle bench: read ${count} events, expected ${expected}`);
  };
}

async function moduleRead(store: EventStore, streamId: string, fromVersion: number): Promise<number> {
  let count = 0;
  for await (const envelope of store.read(streamId, { fromVersion })) if (envelope.event !== undefined) count++;
  return count;
}

export async function lifecycleCostWorkload(clientConfig: DynamoDBClientConfig, tablePrefix: string): Promise<LifecycleCostResult> {
  const reference = REFERENCE === 'none' ? { unavailable: 'BENCH_LIFECYCLE_REFERENCE=none' } : referenceBuild(REFERENCE);
  const before = 'entry' in reference ? ((await import(reference.entry)) as ModuleExports) : undefined;
  if ('unavailable' in reference) console.log(`lifecycle: no "before" rows: ${reference.unavailable}`);
  const suffix = randomBytes(3).toString('hex');
  const tables = { raw: `${tablePrefix}-raw-${suffix}`, now: `${tablePrefix}-now-${suffix}`, before: `${tablePrefix}-before-${suffix}`, pd: `${tablePrefix}-pd-${suffix}` };
  const keysTable = `${tables.pd}-keys`;
  const client = () => {
    const created = new DynamoDBClient(clientConfig);
    const meter = new CapacityMeter();
    meter.attach(created);
    return { client: created, meter };
  };
  const clients = { raw: client(), now: client(), before: client(), pd: client(), rawRtt: client(), nowRtt: client(), beforeRtt: client() };
  for (const { client: slow } of [clients.rawRtt, clients.nowRtt, clients.beforeRtt]) {
    slow.middlewareStack.add((next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, SIMULATED_RTT_MS));
      return next(args);
    }, { step: 'initialize', name: 'benchSimulatedRoundTrip' });
  }
  const apps: Array<{ close(): Promise<void> }> = [];
  try {
    await createBaselineTable(clients.raw.client, tables.raw);
    const now = await startApp(current, clients.now.client, tables.now);
    apps.push(now);
    const old = before === undefined ? undefined : await startApp(before, clients.before.client, tables.before);
    if (old !== undefined) apps.push(old);
    const pd = await startApp(current, clients.pd.client, tables.pd, {
      events: [...BENCH_EVENT_CLASSES, SealedCustomerRegistered, PlainCustomerRegistered],
      personalData: { keysTable, wrapping: { localKey: randomBytes(32).toString('base64') } },
    });
    apps.push(pd);
    // The same tables read through clients with a simulated round trip.
    const nowRtt = await startApp(current, clients.nowRtt.client, tables.now);
    apps.push(nowRtt);
    const oldRtt = before === undefined ? undefined : await startApp(before, clients.beforeRtt.client, tables.before);
    if (oldRtt !== undefined) apps.push(oldRtt);
    const raw = new BaselineContender(clients.raw.client, tables.raw);
    const subject = (k: number) => `subject-${k % SETTINGS.subjects}`;
    let newSubjects = 0;
    const appendVariants: Variant[] = [
      { key: 'raw', label: 'raw SDK: PutItem', operation: 'append', raw: 'raw', meter: clients.raw.meter, op: rawAppends(raw, 'raw', deposit) },
      ...(old === undefined
        ? []
        : [{ key: 'before', label: `module before issue 13 (${REFERENCE})`, operation: 'append' as const, raw: 'raw', meter: clients.before.meter, op: moduleAppends(old.store, 'before', deposit) }]),
      { key: 'now', label: 'module now', operation: 'append', raw: 'raw', against: old === undefined ? undefined : 'before', meter: clients.now.meter, op: moduleAppends(now.store, 'now', deposit) },
      { key: 'rawCustomer', label: 'raw SDK: PutItem, customer event', operation: 'append', raw: 'rawCustomer', meter: clients.raw.meter, op: rawAppends(raw, 'rawc', (k) => new PlainCustomerRegistered(customerDetails(subject(k), k))) },
      { key: 'plain', label: 'personal-data app: customer, plain class', operation: 'append', raw: 'rawCustomer', meter: clients.pd.meter, op: moduleAppends(pd.store, 'plain', (k) => new PlainCustomerRegistered(customerDetails(subject(k), k))) },
      { key: 'sealed', label: 'personal-data app: customer, 2 sealed fields', operation: 'append', raw: 'rawCustomer', against: 'plain', meter: clients.pd.meter, op: moduleAppends(pd.store, 'sealed', (k) => new SealedCustomerRegistered(customerDetails(subject(k), k))) },
      { key: 'sealedNew', label: "  the same, a new subject's first event", operation: 'append', raw: 'rawCustomer', against: 'plain', meter: clients.pd.meter, op: moduleAppends(pd.store, 'sealed-new', (k) => new SealedCustomerRegistered(customerDetails(`new-${suffix}-${++newSubjects}`, k))) },
    ];

    // The streams the reads read: 4 of each, 10 commits of one event, written by the module that reads them.
    const streams = (prefix: string) => Array.from({ length: 4 }, (_, i) => `${prefix}-${i}`);
    const write = async (store: EventStore, prefix: string, event: (k: number) => object) => {
      const append = moduleAppends(store, prefix, event);
      for (let k = 0; k < 4 * SETTINGS.streamEvents; k++) await append();
    };
    await write(now.store, 'read-now', deposit);
    if (old !== undefined) await write(old.store, 'read-before', deposit);
    await write(pd.store, 'read-plain', (k) => new PlainCustomerRegistered(customerDetails(`reader-${Math.floor(k / 10)}`, k)));
    await write(pd.store, 'read-sealed', (k) => new SealedCustomerRegistered(customerDetails(`reader-${Math.floor(k / 10)}`, k)));
    const { streamEvents: all, laterFrom } = SETTINGS;
    const later = all - laterFrom + 1;
    const rawClient = clients.raw.client;
    const readVariants: Variant[] = [
      { key: 'rawRead', label: 'raw SDK: Query, from version 1', operation: 'read', raw: 'rawRead', meter: clients.raw.meter, op: reads(streams('read-now'), all, (id) => countStreamEvents(rawClient, tables.now, id)) },
      ...(old === undefined
        ? []
        : [{ key: 'beforeRead', label: `module before issue 13, from version 1`, operation: 'read' as const, raw: 'rawRead', meter: clients.before.meter, op: reads(streams('read-before'), all, (id) => moduleRead(old.store, id, 1)) }]),
      { key: 'nowRead', label: 'module now, from version 1', operation: 'read', raw: 'rawRead', against: old === undefined ? undefined : 'beforeRead', meter: clients.now.meter, op: reads(streams('read-now'), all, (id) => moduleRead(now.store, id, 1)) },
      { key: 'rawLater', label: `raw SDK: Query, from version ${laterFrom}`, operation: 'read', raw: 'rawLater', meter: clients.raw.meter, op: reads(streams('read-now'), later, (id) => rawReadFrom(rawClient, tables.now, id, laterFrom)) },
      ...(old === undefined
        ? []
        : [{ key: 'beforeLater', label: `module before issue 13, from version ${laterFrom}`, operation: 'read' as const, raw: 'rawLater', meter: clients.before.meter, op: reads(streams('read-before'), later, (id) => moduleRead(old.store, id, laterFrom)) }]),
      { key: 'nowLater', label: `module now, from version ${laterFrom}`, operation: 'read', raw: 'rawLater', against: old === undefined ? undefined : 'beforeLater', meter: clients.now.meter, op: reads(streams('read-now'), later, (id) => moduleRead(now.store, id, laterFrom)) },
      { key: 'rawRtt', label: `raw SDK: Query, from version 1, +${SIMULATED_RTT_MS} ms round trip`, operation: 'read', raw: 'rawRtt', meter: clients.rawRtt.meter, op: reads(streams('read-now'), all, (id) => countStreamEvents(clients.rawRtt.client, tables.now, id)) },
      ...(oldRtt === undefined
        ? []
        : [{ key: 'beforeRtt', label: `module before issue 13, from version 1, +${SIMULATED_RTT_MS} ms`, operation: 'read' as const, raw: 'rawRtt', meter: clients.beforeRtt.meter, op: reads(streams('read-before'), all, (id) => moduleRead(oldRtt.store, id, 1)) }]),
      { key: 'nowRtt', label: `module now, from version 1, +${SIMULATED_RTT_MS} ms`, operation: 'read', raw: 'rawRtt', against: oldRtt === undefined ? undefined : 'beforeRtt', meter: clients.nowRtt.meter, op: reads(streams('read-now'), all, (id) => moduleRead(nowRtt.store, id, 1)) },
      { key: 'rawCustomerRead', label: 'raw SDK: Query, customer events', operation: 'read', raw: 'rawCustomerRead', meter: clients.raw.meter, op: reads(streams('read-plain'), all, (id) => countStreamEvents(rawClient, tables.pd, id)) },
      { key: 'plainRead', label: 'personal-data app: customer, plain class', operation: 'read', raw: 'rawCustomerRead', meter: clients.pd.meter, op: reads(streams('read-plain'), all, (id) => moduleRead(pd.store, id, 1)) },
      { key: 'sealedRead', label: 'personal-data app: customer, 2 sealed fields', operation: 'read', raw: 'rawCustomerRead', against: 'plainRead', meter: clients.pd.meter, op: reads(streams('read-sealed'), all, (id) => moduleRead(pd.store, id, 1)) },
    ];

    const { rounds, appendsPerRound, readsPerRound, warmupAppends, warmupReads } = SETTINGS;
    console.log(
      `lifecycle: ${appendVariants.length} append variants, ${warmupAppends} warm-up appends each, ${rounds} rotated rounds of ${appendsPerRound}; ` +
        `${readVariants.length} read variants (a ${all}-event stream), ${warmupReads} warm-up reads each, ${rounds} rounds of ${readsPerRound}`,
    );
    await rotatedVariantRounds(appendVariants, 1, warmupAppends);
    const appendSamples = await rotatedVariantRounds(appendVariants, rounds, appendsPerRound);
    await rotatedVariantRounds(readVariants, 1, warmupReads);
    const readSamples = await rotatedVariantRounds(readVariants, rounds, readsPerRound);
    const rows: LifecycleCostRow[] = [];
    for (const [variants, samples] of [[appendVariants, appendSamples], [readVariants, readSamples]] as const) {
      for (const variant of variants) rows.push(await resultRow(variant, variants, samples));
    }
    return {
      workload: 'issue 13: ordinary appends and reads before and now, and crypto-shredding (µs per op; differences: median of per-round differences)',
      reference_commit: 'commit' in reference ? reference.commit : null,
      ...('unavailable' in reference ? { note: reference.unavailable } : {}),
      rounds,
      appends_per_round: appendsPerRound,
      reads_per_round: readsPerRound,
      rows,
    };
  } finally {
    for (const app of apps.reverse()) await app.close();
    await deleteTables(clients.raw.client, [...Object.values(tables), keysTable]);
    for (const { client: each } of Object.values(clients)) each.destroy();
  }
}

/** A variant's figures from its samples, and its metered run. */
async function resultRow(variant: Variant, variants: readonly Variant[], samples: Map<string, VariantSamples>): Promise<LifecycleCostRow> {
  const own = samples.get(variant.key)!;
  const raw = samples.get(variant.raw)!;
  const { costOps } = SETTINGS;
  const tally = await variant.meter.measure(async () => {
    for (let i = 0; i < costOps; i++) await variant.op();
  });
  const requests = Object.entries(tally.requests)
    .map(([command, count]) => `${round(count / costOps, 2)} ${command.replace(/Command$/, '')}`)
    .join(', ');
  const row: LifecycleCostRow = {
    variant: variant.label,
    operation: variant.operation,
    micros_median: Math.round(median(own.latencies)),
    micros_quartiles: [Math.round(quantile(own.latencies, 0.25)), Math.round(quantile(own.latencies, 0.75))],
    ratio_vs_raw: round(median(own.roundMeans.map((mean, r) => raw.roundMeans[r]! / mean)), 3),
    cpu_micros_per_op: Math.round(median(own.roundCpu)),
    requests_per_op: requests,
    item_bytes_per_op: Math.round(tally.itemBytes / costOps),
    write_units_per_op: roundUnits(tally.writeUnits / costOps),
    read_units_per_op: roundUnits(tally.readUnits / costOps),
  };
  if (variant.against !== undefined) {
    const other = samples.get(variant.against)!;
    const differences = own.roundMeans.map((mean, r) => mean - other.roundMeans[r]!);
    row.against = variants.find((v) => v.key === variant.against)!.label;
    row.difference_micros = Math.round(median(differences));
    row.difference_quartiles_micros = [Math.round(quantile(differences, 0.25)), Math.round(quantile(differences, 0.75))];
    row.difference_percent = round((median(differences) / median(other.roundMeans)) * 100, 1);
    row.cpu_difference_micros = Math.round(median(own.roundCpu.map((cpu, r) => cpu - other.roundCpu[r]!)));
  }
  return row;
}

export function printLifecycleCost(cost: LifecycleCostResult): LifecycleCostResult {
  const signed = (value: number) => `${value >= 0 ? '+' : ''}${value}`;
  console.log(`\nIssue 13's cost to ordinary appends and reads, and crypto-shredding's (sequential ops, ${cost.rounds} rotated rounds of ${cost.appends_per_round} appends`);
  console.log(`or ${cost.reads_per_round} reads per variant; apps with feed: false; µs: each op's latency, median (quartiles); ratio: median of per-round`);
  console.log('raw/variant mean latency (>1 faster than raw); Δ: median (quartiles) of the per-round differences of mean latency with the row named');
  console.log("(\"before\": the module at the reference commit, in this process; sealed: against the plain class); CPU: this process's user + system");
  console.log(`time per op; requests and units per op: one metered run of ${SETTINGS.costOps} ops, by DynamoDB's billing rules; "+${SIMULATED_RTT_MS} ms": clients`);
  console.log('that wait that long before each request, a network round trip: requests sent together overlap as against the service)');
  if (cost.reference_commit === null) console.log(`No "before" rows: ${cost.note}`);
  printTable(
    ['op', 'variant', 'µs median (q1..q3)', 'ratio vs raw', 'Δ µs (q1..q3)', 'Δ %', 'CPU µs/op', 'Δ CPU µs', 'requests/op', 'item bytes/op', 'WU/op', 'RU/op'],
    cost.rows.map((r) => [
      r.operation,
      r.variant,
      `${r.micros_median} (${r.micros_quartiles[0]}..${r.micros_quartiles[1]})`,
      r.ratio_vs_raw.toFixed(3),
      r.difference_micros === undefined ? '-' : `${signed(r.difference_micros)} (${signed(r.difference_quartiles_micros![0])}..${signed(r.difference_quartiles_micros![1])})`,
      r.difference_percent === undefined ? '-' : signed(r.difference_percent),
      String(r.cpu_micros_per_op),
      r.cpu_difference_micros === undefined ? '-' : signed(r.cpu_difference_micros),
      r.requests_per_op,
      String(r.item_bytes_per_op),
      formatUnits(r.write_units_per_op),
      formatUnits(r.read_units_per_op),
    ]),
  );
  return cost;
}
