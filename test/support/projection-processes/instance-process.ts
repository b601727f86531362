// An app instance of the multi-process partitioned projection tests: the module with the in-app
// feed indexer allowed (every instance may run it; one holds its lease) and one `@Projection` with
// `partitions`, as INSTANCE_PLAN says. Every handler call and every partition lease request is
// recorded in the instance's record file (records.ts) as it happens; progress goes to the test
// over IPC. Told `freeze-in-handler`, it SIGSTOPs itself inside its next handler call.
import { createChildApp, fail, fromEnv, realNow } from '../feed-processes/child-runtime.js';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Projection, ProjectionHandler, ProjectionManager, type FeedEvent } from '../../../lib/index.js';
import { testClientConfig } from '../dynamodb.js';
import { AccountOpened, MoneyDeposited, MoneyWithdrawn } from '../events.js';
import { observePartitionLeases, partitionOfStream, type HeldLease } from './lease-observer.js';
import type { FromChild, InstancePlan, ToChild } from './messages.js';
import { RecordFile } from './records.js';

const plan = fromEnv<InstancePlan>('INSTANCE_PLAN');
const records = new RecordFile(plan.recordFile);
const held = new Map<number, HeldLease>();

const tell = (message: FromChild): Promise<void> =>
  new Promise((resolve) => (process.connected ? process.send!(message, undefined, {}, () => resolve()) : resolve()));

let calls = 0;
let freezeNext = false;

class PartitionedProjection {
  @ProjectionHandler(AccountOpened, MoneyDeposited, MoneyWithdrawn)
  async on(_event: object, envelope: FeedEvent): Promise<void> {
    const p = partitionOfStream(envelope.streamId, plan.partitions);
    const lease = held.get(p);
    // Recorded before anything else: a call the process is killed in is still in the file.
    records.write({ k: 'h', n: ++calls, p, s: envelope.streamId, v: envelope.version, c: envelope.checkpoint, ...(lease ? { o: lease.owner, e: lease.epoch } : {}), t: realNow() });
    if (freezeNext) {
      freezeNext = false;
      await tell({ type: 'freezing', partition: p, streamId: envelope.streamId, version: envelope.version });
      // Synchronous: nothing more of this process runs until SIGCONT (its page in hand, not saved).
      process.kill(process.pid, 'SIGSTOP');
    }
    if (plan.handlerDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, plan.handlerDelayMs));
  }
}
Projection(plan.projection, { partitions: plan.partitions, leaseTtlMs: plan.leaseTtlMs, pollIntervalMs: plan.pollIntervalMs, pageSize: plan.pageSize })(PartitionedProjection);

const client = new DynamoDBClient({ ...testClientConfig(), maxAttempts: 8 });
observePartitionLeases(client, plan.tables.projections, plan.projection, records, held, realNow);
const app = await createChildApp({ tables: plan.tables, feed: { indexer: plan.indexer }, projections: [PartitionedProjection], client });
const manager = app.get(ProjectionManager);

const progress = setInterval(() => {
  const status = manager.status(plan.projection) as { state: string; lastError?: Error; partitions?: unknown };
  if (status.state === 'blocked') void fail(new Error(`the projection is blocked: ${status.lastError?.message}`));
  void tell({ type: 'progress', handled: calls, held: [...held.keys()].sort((a, b) => a - b), partitionStatus: status.partitions });
}, 200);

process.on('message', (message: ToChild) => {
  if (message.type === 'freeze-in-handler') freezeNext = true;
  if (message.type === 'close') {
    clearInterval(progress);
    void app
      .close()
      .then(() => client.destroy())
      .then(() => process.exit(0), fail);
  }
});

await tell({ type: 'ready', pid: process.pid });
