// A second app instance in its own process, for the stream-lifecycle tests: it appends and reads
// when the test says so, and so keeps a boundary cache as warm as the test makes it.
import 'reflect-metadata';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule, EventStore, type ExpectedVersion } from '../../../lib/index.js';
import { testClientConfig } from '../dynamodb.js';
import { MoneyDeposited, TEST_EVENTS } from '../events.js';
import type { FromWarmWriter, ToWarmWriter } from './warm-writer-messages.js';

const send = (message: FromWarmWriter) => process.send!(message);
process.on('disconnect', () => process.exit(0));

async function main(): Promise<void> {
  const tableName = process.env.LIFECYCLE_TABLE!;
  const trustMs = Number(process.env.LIFECYCLE_TRUST_MS);
  const imports = [
    CqrsModule.forRoot(),
    DynamoEventSourcingModule.forRoot({
      client: new DynamoDBClient(testClientConfig()),
      tableSetup: 'verify',
      events: TEST_EVENTS,
      feed: false,
      boundaryCache: { trustMs },
      tables: { events: tableName },
    }),
  ];
  const WarmWriterModule = class WarmWriterModule {};
  Module({ imports })(WarmWriterModule);
  const app = await NestFactory.createApplicationContext(WarmWriterModule, { logger: ['error'] });
  const store = app.get(EventStore);
  process.on('message', (raw) => {
    const message = raw as ToWarmWriter;
    void (async () => {
      try {
        if (message.type === 'append') {
          const events = Array.from({ length: message.count }, (_, i) => new MoneyDeposited(message.streamId, i + 1));
          const { version } = await store.append(message.streamId, events, { expectedVersion: message.expectedVersion as ExpectedVersion });
          send({ id: message.id, ok: true, version });
        } else {
          const versions: number[] = [];
          for await (const envelope of store.read(message.streamId)) versions.push(envelope.version);
          send({ id: message.id, ok: true, versions });
        }
      } catch (error) {
        const { name, message: text, code } = error as { name: string; message: string; code?: string };
        send({ id: message.id, ok: false, name: (error as object).constructor?.name ?? name, code, message: text });
      }
    })();
  });
  send({ id: 0, ok: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
