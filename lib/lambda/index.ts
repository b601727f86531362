/**
 * The feed indexer as an AWS Lambda handler (`nestjs-dynamo-es/lambda`): no NestJS in here, so that
 * a function bundles only the AWS SDK and the indexer.
 */
export { createFeedIndexerHandler, type FeedIndexerHandlerOptions, type FeedIndexerResponse } from './feed-indexer.handler.js';
export type { DynamoDBRecord, DynamoDBStreamEvent } from '../feed/indexer/stream-records.js';
export { FeedStreamViewTypeError } from '../errors/feed-stream-view-type.error.js';
