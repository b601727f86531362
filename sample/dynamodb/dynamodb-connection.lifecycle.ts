import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { DynamoDbConnection } from './dynamodb-connection.js';

export const DYNAMODB_CONNECTION = Symbol('DYNAMODB_CONNECTION');

/**
 * Stops DynamoDB Local when the app stops, whether by `app.close()` or by a signal (with
 * `enableShutdownHooks()`). `onApplicationShutdown` runs after every module's `onModuleDestroy`,
 * once the projections have saved their checkpoints and released their leases: the database
 * goes last.
 */
@Injectable()
export class DynamoDbConnectionLifecycle implements OnApplicationShutdown {
  constructor(@Inject(DYNAMODB_CONNECTION) private readonly connection: DynamoDbConnection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.stop();
  }
}
