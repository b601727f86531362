import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { CommitNotifier } from '../feed/commit-notifier.js';
import { ProjectionRegistry } from '../projections/projection-registry.js';
import type { CliSettings } from './cli-options.js';
import { RawEventTypeRegistry } from './raw-event-registry.js';

/**
 * Runs `work` with a module runtime built for the CLI: the options' client (or one built from
 * `clientConfig`, destroyed afterwards) and a registry that decodes every stored event raw. No table
 * is set up here: each command checks the tables it uses.
 */
export async function withCliRuntime<T>(settings: CliSettings, work: (runtime: EventSourcingRuntime) => Promise<T>): Promise<T> {
  const { resolved } = settings;
  const ownsClient = resolved.client === undefined;
  const client = resolved.client ?? new DynamoDBClient(resolved.clientConfig);
  const runtime: EventSourcingRuntime = {
    client,
    ownsClient,
    options: resolved,
    registry: new RawEventTypeRegistry(),
    aggregateNames: new Map(),
    commits: new CommitNotifier(),
    projections: new ProjectionRegistry(),
  };
  try {
    return await work(runtime);
  } finally {
    if (ownsClient) client.destroy();
  }
}
