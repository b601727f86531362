/**
 * The handler module of the cold start measurement (bench/lambda-cold-start.ts): what a user's
 * Lambda entry file looks like, a projection module and `createProjectionsHandler`. It records when
 * the projection's handler first ran, for the measuring child.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { DynamoEventSourcingModule, Projection, ProjectionHandler, type FeedEvent } from '../lib/index.js';
import { createProjectionsHandler } from '../lib/lambda/index.js';
import { ColdStartDeposited } from './lambda-cold-start-event.js';

/** performance.now() when the first event was handled (the child reads it). */
export const firstHandled: { at?: number; count: number } = { count: 0 };

@Projection('cold-start-balances')
class BalancesProjection {
  @ProjectionHandler(ColdStartDeposited)
  deposited(_event: ColdStartDeposited, _envelope: FeedEvent): void {
    firstHandled.at ??= performance.now();
    firstHandled.count++;
  }
}

@Module({ imports: [DynamoEventSourcingModule.forFeature({ projections: [BalancesProjection] })] })
class ReadModelModule {}

const endpoint = process.env.COLD_START_ENDPOINT;
export const handler = createProjectionsHandler(ReadModelModule, {
  module: {
    clientConfig: endpoint === undefined ? {} : { endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } },
    tables: { events: process.env.COLD_START_EVENTS_TABLE, projections: process.env.COLD_START_PROJECTIONS_TABLE },
    events: [ColdStartDeposited],
  },
  logger: false,
});
