// Imported first by every child script of the multi-process feed tests: the IPC channel to the
// test, the real clock, and the app each child runs (the module, as a user's app would).
import 'reflect-metadata';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Module, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { DynamoEventSourcingModule, type DynamoEventSourcingModuleOptions } from '../../../lib/index.js';
import { testClientConfig } from '../dynamodb.js';
import { TEST_EVENTS } from '../events.js';
import type { FeedTables, FromChild, ToChild } from './feed-messages.js';

/**
 * The machine's clock in ms, whatever `Date` says: `performance.timeOrigin` is taken from the system
 * clock by Node itself when the process starts, before a skewed `Date` (clock-skew.ts) is installed.
 */
export const realNow = (): number => performance.timeOrigin + performance.now();

/** Sends a message to the test; resolves once it has been handed to the channel. */
export function send(message: FromChild): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(message, undefined, {}, () => resolve());
  });
}

/** Calls `handler` for each message from the test. */
export function onMessage(handler: (message: ToChild) => void): void {
  process.on('message', (message) => handler(message as ToChild));
}

/** The JSON value of an environment variable the test set. */
export function fromEnv<T>(name: string): T {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set (this script is run by the multi-process feed tests)`);
  return JSON.parse(value) as T;
}

/** Reports a failure to the test and exits (the test fails with the message). */
export async function fail(error: unknown): Promise<never> {
  await send({ type: 'failed', message: (error as Error)?.stack ?? String(error) });
  process.exit(1);
}

process.on('uncaughtException', (error) => void fail(error));
process.on('unhandledRejection', (error) => void fail(error));
// The test is gone (it ended, or died): so is this child, whatever it was doing.
process.on('disconnect', () => process.exit(0));

export interface ChildAppOptions {
  readonly tables: FeedTables;
  /** The module's `feed` option. */
  readonly feed: DynamoEventSourcingModuleOptions['feed'];
  /** `@Projection` classes to run in this app. */
  readonly projections?: Type[];
  /** The DynamoDB client (to watch its requests); by default one of the child's own. */
  readonly client?: DynamoDBClient;
}

/** One app instance of the test's app: the module on the shared tables, started as `NestFactory` starts an app. */
export async function createChildApp(options: ChildAppOptions): Promise<INestApplicationContext> {
  const client = options.client ?? new DynamoDBClient({ ...testClientConfig(), maxAttempts: 8 });
  const imports = [
    CqrsModule.forRoot(),
    DynamoEventSourcingModule.forRoot({
      client,
      // The test created the events table (with its stream); 'create' makes the projections table when this app has projections.
      tableSetup: options.projections === undefined ? 'verify' : 'create',
      events: TEST_EVENTS,
      feed: options.feed,
      tables: { events: options.tables.events, projections: options.tables.projections },
    }),
    ...(options.projections === undefined ? [] : [DynamoEventSourcingModule.forFeature({ projections: options.projections })]),
  ];
  const ChildAppModule = class ChildAppModule {};
  Module({ imports })(ChildAppModule);
  return NestFactory.createApplicationContext(ChildAppModule, { logger: ['error', 'warn'] });
}

/** Says the app is up, with how far this process's clock is set off the machine's. */
export function ready(): Promise<void> {
  return send({ type: 'ready', pid: process.pid, clockSkewMs: Math.round(Date.now() - realNow()) });
}
