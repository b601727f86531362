import type { DynamicModule, INestApplicationContext, LoggerService, Type } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import type { DynamoEventSourcingModuleOptions } from '../interfaces/dynamo-event-sourcing-module-options.interface.js';
import { findImportedModule } from '../projections/app-module-imports.js';

/** The module's options for a Lambda function: as given to `forRoot()`, or a function that makes them (once per container). */
export type LambdaModuleOptions = DynamoEventSourcingModuleOptions | (() => DynamoEventSourcingModuleOptions | Promise<DynamoEventSourcingModuleOptions>);

/** A function's Nest application context and the module's runtime in it. */
export interface LambdaAppContext {
  readonly context: INestApplicationContext;
  readonly runtime: EventSourcingRuntime;
}

/**
 * Creates the application context of `appModule` (the module that registers the projections or
 * event handlers, without `forRoot()`) next to `DynamoEventSourcingModule.forRoot(options)` with
 * `projections: { autoStart: false }` (the function runs them, not the ProjectionManager) and no
 * in-app feed indexer (a Lambda container is frozen between invocations: a poller there would
 * neither keep its lease nor keep up). `tableSetup` defaults to `'none'`: the tables exist
 * already, and a cold start need not describe them (nor hold the permission to).
 *
 * @throws InvalidModuleOptionsError when `appModule` imports `forRoot()` itself (its options would win).
 */
export async function createLambdaAppContext(appModule: Type<unknown> | DynamicModule, options: LambdaModuleOptions, logger?: LoggerService | false): Promise<LambdaAppContext> {
  // Loaded here, not where `nestjs-dynamo-es/lambda` is imported: a feed indexer function imports it without NestJS installed.
  const [{ Module }, { NestFactory }, { DynamoEventSourcingModule }] = await Promise.all([
    import('@nestjs/common'),
    import('@nestjs/core'),
    import('../dynamo-event-sourcing.module.js'),
  ]);
  if ((await findImportedModule(appModule, (moduleClass) => moduleClass === DynamoEventSourcingModule)) !== undefined) {
    throw new InvalidModuleOptionsError(
      'appModule',
      'imports DynamoEventSourcingModule.forRoot() itself: give the Lambda handler the module that registers your projections and event handlers ' +
        '(with forFeature()), and forRoot()\'s options as the handler\'s `module` option; the handler adds forRoot() with projections that do not start on their own.',
    );
  }
  const resolved = typeof options === 'function' ? await options() : options;
  /** The root module: `forRoot()` with the function's options, and the app's module. */
  class LambdaAppModule {}
  Module({})(LambdaAppModule);
  const root: DynamicModule = {
    module: LambdaAppModule,
    imports: [
      DynamoEventSourcingModule.forRoot({
        tableSetup: 'none',
        ...resolved,
        projections: { ...resolved.projections, autoStart: false },
        ...(resolved.feed === false ? {} : { feed: { ...resolved.feed, indexer: false } }),
      }),
      appModule,
    ],
  };
  // abortOnError false: Nest would otherwise end the process on a start-up error; thrown, it fails this invocation and the next one tries again.
  const context = await NestFactory.createApplicationContext(root, { abortOnError: false, ...(logger === undefined ? {} : { logger }) });
  return { context, runtime: context.get<EventSourcingRuntime>(EVENT_SOURCING_RUNTIME) };
}

/**
 * One value per container, made at the first call (or at once, with `eager`) and reused by the
 * later ones. A failed attempt is not kept: the next call tries again (a throttled table, a
 * secret not readable yet), rather than failing every invocation of a container for ever.
 */
export function oncePerContainer<T>(make: () => Promise<T>, eager: boolean): () => Promise<T> {
  let pending: Promise<T> | undefined;
  const start = (): Promise<T> => {
    const attempt = make();
    pending = attempt;
    attempt.catch(() => {
      if (pending === attempt) pending = undefined;
    });
    return attempt;
  };
  // Made during the container's init phase (module import), whose CPU is not throttled; its failure surfaces at the first invocation.
  if (eager) start();
  return () => pending ?? start();
}
