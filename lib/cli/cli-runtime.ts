import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { CommitNotifier } from '../feed/commit-notifier.js';
import { linkPersonalData, unlinkPersonalData } from '../personal-data/personal-data-links.js';
import type { PersonalDataService } from '../personal-data/personal-data-service.js';
import { ProjectionRegistry } from '../projections/projection-registry.js';
import type { CliSettings } from './cli-options.js';
import { RawEventTypeRegistry } from './raw-event-registry.js';

/** What a command needs of the runtime beyond the client and the options. */
export interface CliRuntimeRequest {
  /**
   * Crypto-shredding, as the module sets it up with the `personalData` option (the keys table and the
   * key wrapping; with KMS, \@aws-sdk/client-kms is loaded). Only for the commands that use it, so
   * that the others need neither the keys table nor KMS.
   */
  readonly personalData?: boolean;
}

/**
 * Runs `work` with a module runtime built for the CLI: the options' client (or one built from
 * `clientConfig`, destroyed afterwards) and a registry that decodes every stored event raw. No table
 * is set up here: each command checks the tables it uses.
 */
export async function withCliRuntime<T>(settings: CliSettings, work: (runtime: EventSourcingRuntime) => Promise<T>, request: CliRuntimeRequest = {}): Promise<T> {
  const { resolved } = settings;
  const ownsClient = resolved.client === undefined;
  const client = resolved.client ?? new DynamoDBClient(resolved.clientConfig);
  const registry = new RawEventTypeRegistry();
  let personalData: PersonalDataService | undefined;
  try {
    if (request.personalData === true && resolved.personalData !== undefined) {
      const { PersonalDataService } = await import('../personal-data/personal-data-service.js');
      personalData = await PersonalDataService.create(resolved.personalData, client, resolved.retry);
      linkPersonalData(personalData, { registry, client, eventsTable: resolved.eventsTable });
    }
    const runtime: EventSourcingRuntime = {
      client,
      ownsClient,
      options: resolved,
      registry,
      aggregateNames: new Map(),
      commits: new CommitNotifier(),
      projections: new ProjectionRegistry(),
      personalData,
    };
    return await work(runtime);
  } finally {
    if (personalData !== undefined) {
      unlinkPersonalData(personalData, { registry, client, eventsTable: resolved.eventsTable });
      personalData.close();
    }
    if (ownsClient) client.destroy();
  }
}
