import { createEventSourcingRuntime } from '../lib/event-sourcing-runtime.js';
import { SnapshotRepository } from '../lib/snapshots/snapshot-repository.js';
import { describeSnapshotRepositoryContract } from './contract/snapshot-repository.contract.js';
import { testClientConfig } from './support/dynamodb.js';
import { createSnapshotApp } from './support/snapshot-app.js';

describeSnapshotRepositoryContract('DynamoDB', async (options) => {
  if (options === false) {
    // Snapshots off: no snapshots table, and nothing is ever sent.
    const runtime = await createEventSourcingRuntime({ clientConfig: testClientConfig(), tableSetup: 'none' });
    return { snapshots: new SnapshotRepository(runtime), close: async () => runtime.client.destroy() };
  }
  const app = await createSnapshotApp('snapshot-contract', { snapshots: options });
  return { snapshots: app.snapshots, close: () => app.close() };
});
