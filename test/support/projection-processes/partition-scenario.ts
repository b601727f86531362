import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_RETRY } from '../../../lib/event-store/retry-policy.js';
import { partitionKeys } from '../../../lib/projections/partitions/partition-keys.js';
import { ProjectionStore, type StoredPartition } from '../../../lib/projections/projection-store.js';
import { createParentApp, feedTables, throttled, type ParentApp } from '../feed-processes/feed-checks.js';
import type { AppendPlan, InstancePlan, SharedTables } from './messages.js';
import { ProcessGroup, type Child } from './process-group.js';
import { readRecords } from './records.js';
import { safetyProblems, type InstanceLog } from './partition-checks.js';

/** The machine's clock as the children record it (see child-runtime.ts realNow). */
export const realNow = (): number => performance.timeOrigin + performance.now();

/** One test's world: tables, the test's own app (it creates the tables), the children, and their record files. */
export class PartitionScenario {
  readonly group = ProcessGroup.create();
  readonly instances: Child[] = [];
  readonly writers: Child[] = [];
  private readonly recordDir = mkdtempSync(join(tmpdir(), 'projection-mp-records-'));
  private readonly recordFiles = new Map<Child, string>();
  private readonly frozen = new Map<Child, { from: number; to: number }>();
  private readonly store: ProjectionStore;

  private constructor(
    readonly tables: SharedTables,
    readonly parent: ParentApp,
    readonly projection: Omit<InstancePlan, 'name' | 'tables' | 'recordFile'>,
  ) {
    this.store = new ProjectionStore(parent.client, tables.projections, DEFAULT_RETRY);
  }

  static async create(label: string, projection: Omit<InstancePlan, 'name' | 'tables' | 'recordFile'>): Promise<PartitionScenario> {
    const tables = feedTables(label);
    return new PartitionScenario(tables, await createParentApp(tables), projection);
  }

  startInstance(name: string): Child {
    const recordFile = join(this.recordDir, `${name}.jsonl`);
    const plan: InstancePlan = { ...this.projection, name, tables: this.tables, recordFile };
    const child = this.group.start('instance', name, { INSTANCE_PLAN: JSON.stringify(plan) });
    this.recordFiles.set(child, recordFile);
    this.instances.push(child);
    return child;
  }

  startWriter(plan: Omit<AppendPlan, 'tables'>): Child {
    const child = this.group.start('writer', `writer ${plan.id}`, { APPEND_PLAN: JSON.stringify({ ...plan, tables: this.tables }) });
    this.writers.push(child);
    return child;
  }

  async ready(...children: Child[]): Promise<void> {
    for (const child of children) await this.group.waitUntil(`${child.name} is up`, () => child.all('ready').length > 0, 90_000);
  }

  /** Handler calls so far, in all instances (their last progress reports). */
  handled(): number {
    return this.instances.reduce((sum, child) => sum + (child.last('progress')?.handled ?? 0), 0);
  }

  /** The partition items as stored (strongly consistent). */
  async stored(): Promise<StoredPartition[]> {
    const keys = partitionKeys(this.projection.projection, this.projection.partitions);
    const items = await this.store.readAll(keys);
    return keys.map((key) => items.get(key) ?? { key, expiresAt: 0, epoch: 0, position: { checkpoint: '0', eventsHandled: 0, eventsSkipped: 0 }, rebuilding: false, parkedCount: 0 });
  }

  /** The instance whose process holds a stored lease (owner ids are `host:pid:random`), if it is unexpired. */
  holderOf(item: StoredPartition, now = Date.now()): Child | undefined {
    if (item.owner === undefined || item.expiresAt < now) return undefined;
    const pid = Number(item.owner.split(':').at(-2));
    return this.instances.find((child) => child.pid === pid);
  }

  /** Partitions held per instance, from the stored items (unexpired leases only); `undefined` key: not held. */
  async holdings(): Promise<Map<Child | undefined, number[]>> {
    const holdings = new Map<Child | undefined, number[]>();
    (await this.stored()).forEach((item, partition) => {
      const holder = this.holderOf(item);
      holdings.set(holder, [...(holdings.get(holder) ?? []), partition]);
    });
    return holdings;
  }

  /**
   * Waits until every partition is held by one of `live`, none holds more than its fair share
   * (partitions / live, rounded up) and each holds at least one (nobody idle); returns the split.
   */
  async balanced(what: string, live: readonly Child[], timeoutMs = 30_000): Promise<string> {
    const share = Math.ceil(this.projection.partitions / live.length);
    let last = '';
    const check = throttled(async () => {
      const holdings = await this.holdings();
      last = [...holdings].map(([child, partitions]) => `${child?.name ?? 'nobody'}: ${partitions.join(',')}`).join('; ');
      if (holdings.has(undefined)) return false;
      for (const [child, partitions] of holdings) if (!live.includes(child!) || partitions.length > share) return false;
      return live.every((child) => (holdings.get(child)?.length ?? 0) >= 1);
    }, 100, false);
    await this.waitUntil(what, check, timeoutMs, () => `last seen: ${last}`);
    return last;
  }

  /**
   * group.waitUntil, and when it fails, what the records show so far (safetyProblems): a run cut
   * short by a wait may already have broken a lease or a checkpoint, which the error then says.
   */
  async waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number, detail: () => string = () => ''): Promise<void> {
    try {
      await this.group.waitUntil(what, condition, timeoutMs);
    } catch (error) {
      const problems = safetyProblems(this.logs(), this.projection.pageSize);
      const found = problems.length === 0 ? 'no lease, fencing or overlap problem' : problems.join('\n');
      throw new Error(`${(error as Error).message}\n${detail()}\nThe records so far show: ${found}`);
    }
  }

  /** Tells an instance to SIGSTOP itself in its next handler call; resolves (machine clock) once it says it is freezing. */
  async freezeInHandler(child: Child): Promise<{ partition: number; at: number }> {
    child.send({ type: 'freeze-in-handler' });
    await this.waitUntil(`${child.name} freezes itself in a handler call`, () => child.all('freezing').length > 0, 30_000);
    const at = realNow();
    this.frozen.set(child, { from: at, to: Infinity });
    return { partition: child.all('freezing')[0]!.partition, at };
  }

  thaw(child: Child): void {
    child.thaw();
    this.frozen.get(child)!.to = realNow();
  }

  /** Every instance's records (a killed one's up to its death). */
  logs(): InstanceLog[] {
    return this.instances.map((child) => ({ instance: child.name, records: readRecords(this.recordFiles.get(child)!), frozen: this.frozen.get(child) }));
  }

  /** Each stream's highest version handled by any instance, from the record files. */
  highestHandled(): Map<string, number> {
    const highest = new Map<string, number>();
    for (const log of this.logs()) for (const record of log.records) if (record.k === 'h') highest.set(record.s, Math.max(highest.get(record.s) ?? 0, record.v));
    return highest;
  }

  async close(): Promise<void> {
    await this.group.close();
    await this.parent.close();
    rmSync(this.recordDir, { recursive: true, force: true });
  }
}
