import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { ProjectionLeaseHeldError, ProjectionManager } from '../../lib/index.js';
import { BankReadModelProjection } from './bank-read-model.projection.js';

/**
 * The read model lives in memory, but the projection's checkpoint lives in DynamoDB: started as
 * usual, a restarted app would go on from the checkpoint with an empty read model. So the app
 * starts its projection itself (`projections: { autoStart: false }`) and rebuilds the read model
 * from the whole feed right away. Start first, rebuild second: the rebuild then runs under the
 * lease the running projection holds, and it goes on following new commits without letting go of
 * it. Start-up (and so `app.listen()`) waits for the rebuild: the API never serves a half-built
 * read model. With the read model in a table, autoStart and the stored checkpoint would do as they are.
 */
@Injectable()
export class ReadModelWarmup implements OnApplicationBootstrap {
  private readonly logger = new Logger('ReadModel');

  constructor(private readonly projections: ProjectionManager) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.projections.start(BankReadModelProjection);
    const progress = await this.rebuild();
    this.logger.log(`Read model built from ${progress.eventsHandled} events in ${progress.elapsedMs} ms.`);
  }

  private async rebuild() {
    try {
      return await this.projections.rebuild(BankReadModelProjection);
    } catch (error) {
      if (!(error instanceof ProjectionLeaseHeldError)) throw error;
      // Most likely this app's previous run, killed without a clean shutdown: its lease runs out by
      // itself, and the projection started above (on standby meanwhile) takes it over.
      const waitMs = Math.max(0, error.expiresAt.getTime() - Date.now()) + 100;
      this.logger.warn(`The read model's lease is held by "${error.holder}" (a previous run?); waiting ${waitMs} ms for it to expire.`);
      await delay(waitMs);
      try {
        return await this.projections.rebuild(BankReadModelProjection);
      } catch (again) {
        if (!(again instanceof ProjectionLeaseHeldError)) throw again;
        throw new Error(
          `Another running instance ("${again.holder}") holds the read model's projection. This sample keeps its read model in memory, ` +
            'so run one instance per set of tables (or give this one another TABLE_PREFIX).',
          { cause: again },
        );
      }
    }
  }
}
