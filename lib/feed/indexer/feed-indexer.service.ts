import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../../dynamo-event-sourcing.constants.js';
import type { EventSourcingRuntime } from '../../event-sourcing-runtime.js';
import { FeedIndexer, type FeedIndexerStatus } from './feed-indexer.js';

/**
 * Runs the feed indexer in this app instance when the feed is on and `feed.indexer` is not
 * `false`: started once the app has bootstrapped, stopped (lease released) on shutdown. Of all
 * instances, one at a time indexes; the others stand by.
 */
@Injectable()
export class FeedIndexerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly indexer?: FeedIndexer;

  constructor(@Inject(EVENT_SOURCING_RUNTIME) runtime: EventSourcingRuntime) {
    const { feed, eventsTable, retry } = runtime.options;
    if (feed?.indexer === undefined) return;
    this.indexer = new FeedIndexer({
      client: runtime.client,
      tableName: eventsTable,
      retry,
      settings: feed.indexer,
      onIndexed: () => runtime.commits.notify(),
      logger: new Logger('DynamoEventSourcing'),
      telemetry: runtime.telemetry,
    });
  }

  /** What the indexer does in this instance; `undefined` when it does not run in this app. */
  status(): FeedIndexerStatus | undefined {
    return this.indexer?.status();
  }

  onApplicationBootstrap(): void {
    this.indexer?.start();
  }

  /** Here rather than at a later shutdown hook: the module destroys its DynamoDB client after its providers. */
  async onModuleDestroy(): Promise<void> {
    await this.indexer?.stop();
  }
}
