export { EmbeddedDynamoDb, EmbeddedDynamoDbError, localClientConfig, type EmbeddedDynamoDbOptions } from './embedded-dynamodb.js';
