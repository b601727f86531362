import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoEventSourcingModule, EventStore } from '../lib/index.js';
import { BENCH_EVENT_CLASSES } from './events.js';

export interface ModuleApp {
  readonly store: EventStore;
  close(): Promise<void>;
}

/**
 * A Nest application context wired as an application would wire it: CqrsModule plus the module,
 * publishing committed events on the EventBus (the default). The client is passed in so that the
 * benchmark can meter its requests; the module does not destroy a client it was given.
 */
export async function startModuleApp(client: DynamoDBClient, tableName: string): Promise<ModuleApp> {
  @Module({
    imports: [
      CqrsModule.forRoot(),
      DynamoEventSourcingModule.forRoot({ client, tableSetup: 'create', tables: { events: tableName }, events: BENCH_EVENT_CLASSES }),
    ],
  })
  class BenchModule {}

  // abortOnError: false, or Nest would process.exit(1) silently on a start-up error, skipping the
  // benchmark's clean-up (and leaving DynamoDB Local running).
  const app = await NestFactory.createApplicationContext(BenchModule, { logger: false, abortOnError: false });
  return { store: app.get(EventStore), close: () => app.close() };
}
