import type { DynamicModule, LoggerService, Type } from '@nestjs/common';
import { describeValue } from '../errors/describe-value.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownProjectionError } from '../errors/unknown-projection.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import type { DynamoDBStreamEvent } from '../feed/indexer/stream-records.js';
import { indexBatchRecordsOf, type BatchItemFailuresResponse } from './index-batch-records.js';
import { createLambdaAppContext, oncePerContainer, type LambdaAppContext, type LambdaModuleOptions } from './lambda-app-context.js';
import type { LambdaConsumer, LambdaRetrySettings } from './lambda-consumers.js';

/** Options shared by {@link createProjectionsHandler} and `createEventHandlersHandler`. */
export interface FeedLambdaOptions {
  /**
   * `DynamoEventSourcingModule.forRoot()`'s options (or a function making them, called once per
   * container). The handler adds `projections: { autoStart: false }` and turns the in-app feed
   * indexer off; `tableSetup` defaults to `'none'`.
   */
  readonly module: LambdaModuleOptions;
  /**
   * Handler calls for one event within one invocation (the first included) before the invocation
   * stops at it and reports its batch, and the later ones, for redelivery. Default 3. A
   * projection's `maxAttempts` counts the calls across the invocations of a container: at
   * `maxAttempts`, the event is parked (as by the in-app runner) and the invocation goes on.
   */
  readonly attemptsPerInvocation?: number;
  /** Wait before the second call of a failing event, in ms, doubling for each next one. Default 100. */
  readonly retryDelayMs?: number;
  /**
   * Create the application context as the handler module is imported (during the container's init
   * phase, which is not billed at the function's CPU share) rather than at the first invocation.
   * Default true; an error then surfaces at the first invocation, and the next one tries again.
   */
  readonly eager?: boolean;
  /** Nest's logger for the application context (default Nest's, to the console, which Lambda sends to CloudWatch Logs). */
  readonly logger?: LoggerService | false;
}

/** Options of {@link createProjectionsHandler}. */
export interface ProjectionsHandlerOptions extends FeedLambdaOptions {
  /** Names of the projections this function runs (default: every projection of the app). */
  readonly projections?: readonly string[];
}

/** What the handler uses of the Lambda context object (the second argument Lambda passes). */
export interface FeedLambdaContext {
  /** Milliseconds until the invocation times out. */
  getRemainingTimeInMillis(): number;
}

/**
 * A Lambda handler for a DynamoDB Streams event source mapping with `ReportBatchItemFailures`. Given
 * Lambda's context, it stops starting handler calls (and retry backoffs) before the invocation's
 * timeout, saves what was handled and reports the rest for redelivery.
 */
export type FeedLambdaHandler = (event: DynamoDBStreamEvent, context?: FeedLambdaContext) => Promise<BatchItemFailuresResponse>;

/** Time kept back at the end of an invocation to save checkpoints, release leases and answer: a quarter of it, at most this. */
const MAX_TIME_RESERVE_MS = 2_000;

/** When an invocation given `context` must start no more handler calls (epoch ms); undefined without a context. */
export function stopByOf(context: FeedLambdaContext | undefined): number | undefined {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return undefined;
  const remaining = context.getRemainingTimeInMillis();
  if (!Number.isFinite(remaining)) return undefined;
  return Date.now() + remaining - Math.min(MAX_TIME_RESERVE_MS, Math.max(0, remaining) / 4);
}

/**
 * The app's projections as the handler of an AWS Lambda function, for an event source mapping on
 * the events table's DynamoDB Stream filtered to the feed index's batches
 * ({@link FEED_INDEX_BATCH_FILTER_CRITERIA}; README, "Projections on AWS Lambda"):
 *
 * ```ts
 * export const handler = createProjectionsHandler(ReadModelModule, {
 *   module: { tablePrefix: process.env.TABLE_PREFIX, events: [AccountOpened, MoneyDeposited] },
 * });
 * ```
 *
 * `ReadModelModule` registers the projections with `DynamoEventSourcingModule.forFeature()` and
 * does not import `forRoot()`: the handler adds it, with `module`'s options. The application
 * context is created once per container and reused by its invocations.
 *
 * Each invocation reads the feed of every partition of every projection, from its stored checkpoint
 * (the same item as the in-app runner's, so a projection can move between an app and a function
 * without a rebuild) up to the last index position among the invocation's batch records, calls the
 * handlers in feed order and saves the checkpoints. A partition whose lease a live app instance holds
 * is left to it. The response names the first batch record some partition did not get past and every
 * record after it, so that Lambda delivers them again: the records before it are under every
 * checkpoint, and a redelivery of them reads nothing. Delivery is at least once: handlers must be idempotent.
 */
export function createProjectionsHandler(appModule: Type<unknown> | DynamicModule, options: ProjectionsHandlerOptions): FeedLambdaHandler {
  const settings = checkFeedLambdaOptions(options, 'createProjectionsHandler');
  if (options.projections !== undefined && (!Array.isArray(options.projections) || options.projections.some((name) => typeof name !== 'string'))) {
    throw new InvalidModuleOptionsError('projections', `must list projection names (createProjectionsHandler); got ${describeValue(options.projections)}.`);
  }
  return feedLambdaHandler(appModule, options, settings, ({ runtime }) => projectionsOf(runtime, options.projections));
}

/** The app's registered projections, or those named. @throws UnknownProjectionError for a name the app has no projection of. */
function projectionsOf(runtime: EventSourcingRuntime, names: readonly string[] | undefined): LambdaConsumer[] {
  const all = runtime.projections.all();
  if (names === undefined) return all;
  return names.map((name) => {
    const found = runtime.projections.byNameOrClass(name);
    if (found === undefined) throw new UnknownProjectionError(`Projection ${describeValue(name)}`, all.map((projection) => projection.definition.name));
    return found;
  });
}

/** The handler both factories make: the consumers built once per container, then run for each event. */
export function feedLambdaHandler(
  appModule: Type<unknown> | DynamicModule,
  options: FeedLambdaOptions,
  settings: LambdaRetrySettings,
  consumersOf: (app: LambdaAppContext) => LambdaConsumer[] | Promise<LambdaConsumer[]>,
): FeedLambdaHandler {
  const container = oncePerContainer(async () => {
    const app = await createLambdaAppContext(appModule, options.module, options.logger);
    try {
      // Imported with the app (it needs NestJS), not with `nestjs-dynamo-es/lambda`.
      const { LambdaConsumers } = await import('./lambda-consumers.js');
      return new LambdaConsumers(app.runtime, await consumersOf(app), settings);
    } catch (error) {
      await app.context.close().catch(() => undefined);
      throw error;
    }
  }, options.eager ?? true);
  return async (event, context) => {
    const batches = indexBatchRecordsOf(event.Records);
    // Nothing but other records (a mapping without the filter): nothing to read.
    if (batches.length === 0) return { batchItemFailures: [] };
    const stopBy = stopByOf(context); // before the context is made: a cold start's init counts against the timeout too
    return (await container()).consume(event.Records, batches, stopBy);
  };
}

/** @throws InvalidModuleOptionsError for options the factory cannot use. */
export function checkFeedLambdaOptions(options: FeedLambdaOptions, factory: string): LambdaRetrySettings {
  if (options === null || typeof options !== 'object' || options.module === null || (typeof options.module !== 'object' && typeof options.module !== 'function')) {
    throw new InvalidModuleOptionsError('module', `must be forRoot()'s options, or a function returning them (${factory}).`);
  }
  const { attemptsPerInvocation = 3, retryDelayMs = 100 } = options;
  if (!Number.isSafeInteger(attemptsPerInvocation) || attemptsPerInvocation < 1) {
    throw new InvalidModuleOptionsError('attemptsPerInvocation', `must be a whole number of at least 1 (${factory}); got ${describeValue(attemptsPerInvocation)}.`);
  }
  if (!Number.isSafeInteger(retryDelayMs) || retryDelayMs < 0 || retryDelayMs > 60_000) {
    throw new InvalidModuleOptionsError('retryDelayMs', `must be a whole number of milliseconds from 0 to 60000 (${factory}); got ${describeValue(retryDelayMs)}.`);
  }
  return { attemptsPerInvocation, retryDelayMs };
}
