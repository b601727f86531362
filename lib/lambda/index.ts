/**
 * AWS Lambda handlers (`nestjs-dynamo-es/lambda`): the feed indexer (no NestJS in it, so that a
 * function bundles only the AWS SDK and the indexer), and the app's projections and event handlers
 * fed by the feed index's batches (these load NestJS and the app's module).
 */
export { createFeedIndexerHandler, type FeedIndexerHandlerOptions, type FeedIndexerResponse } from './feed-indexer.handler.js';
export { createProjectionsHandler, type FeedLambdaContext, type FeedLambdaHandler, type FeedLambdaOptions, type ProjectionsHandlerOptions } from './projections.handler.js';
export { createEventHandlersHandler, type EventHandlersHandlerOptions } from './event-handlers.handler.js';
export { FEED_INDEX_BATCH_FILTER, FEED_INDEX_BATCH_FILTER_CRITERIA, isIndexBatchRecord, type BatchItemFailuresResponse } from './index-batch-records.js';
export type { LambdaModuleOptions } from './lambda-app-context.js';
export type { DynamoDBRecord, DynamoDBStreamEvent } from '../feed/indexer/stream-records.js';
export { FeedStreamViewTypeError } from '../errors/feed-stream-view-type.error.js';
