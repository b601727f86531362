import { InMemorySnapshotRepository } from '../lib/testing/index.js';
import { describeSnapshotRepositoryContract } from './contract/snapshot-repository.contract.js';

describeSnapshotRepositoryContract('in memory', async (options) => ({
  snapshots: new InMemorySnapshotRepository(options),
  close: async () => undefined,
}));
