import { Module, type DynamicModule, type INestApplicationContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { createRequire } from 'node:module';
import { DynamoEventSourcingFeatureModule } from '../dynamo-event-sourcing-feature.module.js';
import { DynamoEventSourcingModule } from '../dynamo-event-sourcing.module.js';
import { findImportedModule } from '../projections/app-module-imports.js';
import { ProjectionManager } from '../projections/projection-manager.js';
import { CliError, CliUsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { CliNestLogger } from './cli-nest-logger.js';
import type { CliSettings } from './cli-options.js';

/** The root module of the CLI's app: the module's forRoot (from the options) and the config's `app`. */
@Module({})
class CliProjectionsAppModule {}

/** An application context of the config's app, and its ProjectionManager. */
export interface ProjectionAppContext {
  readonly context: INestApplicationContext;
  readonly manager: ProjectionManager;
}

/** What the CLI needs of a copy of this package: the classes must be those of the copy the app's projections use. */
interface PackageCopy {
  readonly DynamoEventSourcingModule: typeof DynamoEventSourcingModule;
  readonly DynamoEventSourcingFeatureModule: typeof DynamoEventSourcingFeatureModule;
  readonly ProjectionManager: typeof ProjectionManager;
}

const OWN_COPY: PackageCopy = { DynamoEventSourcingModule, DynamoEventSourcingFeatureModule, ProjectionManager };

const APP_HINT =
  'export `app` from a .mjs or .js config file: the Nest module whose providers include your projections (without DynamoEventSourcingModule.forRoot())';

/**
 * Starts the config's `app` next to `DynamoEventSourcingModule.forRoot()` with the CLI's options and
 * `projections: { autoStart: false }` and `feed: { indexer: false }`, so that its projections are
 * registered but none runs here on its own (the CLI only rebuilds the one it is asked to), and no
 * feed indexer runs in the CLI: the rebuild reads the index the app's indexer keeps. Nest logs warnings and errors to stderr.
 *
 * @throws CliUsageError when there is no app, or it imports forRoot itself (its options would not be the CLI's).
 * @throws CliError when the app's projections belong to a copy of this package the CLI cannot reach.
 */
export async function createProjectionAppContext(settings: CliSettings, io: CliIo, command = 'projection rebuild'): Promise<ProjectionAppContext> {
  const { app } = settings;
  if (app === undefined) {
    throw new CliUsageError(`${command} needs the app's projections: ${APP_HINT}${settings.configPath === undefined ? '' : `; ${settings.configPath} has none`}`);
  }
  if (!isModule(app)) throw new CliUsageError(`the config's app must be a Nest module class or dynamic module; ${APP_HINT}`);
  if ((await findModuleClass(app, DynamoEventSourcingModule.name)) !== undefined) {
    throw new CliUsageError(`the config's app imports DynamoEventSourcingModule.forRoot() itself; ${APP_HINT} (the CLI adds forRoot with the config's options)`);
  }
  const copy = await packageCopyOf(app);
  const root: DynamicModule = {
    module: CliProjectionsAppModule,
    imports: [
      copy.DynamoEventSourcingModule.forRoot({
        ...settings.options,
        projections: { ...settings.options.projections, autoStart: false },
        // The feed's indexer belongs to the app's instances (or a Lambda function), not to a CLI run.
        ...(settings.options.feed === false ? {} : { feed: { ...settings.options.feed, indexer: false } }),
      }),
      app as Type<unknown> | DynamicModule,
    ],
  };
  // abortOnError false: Nest would otherwise end the process on a start-up error instead of throwing it to the CLI.
  const context = await NestFactory.createApplicationContext(root, { logger: new CliNestLogger(io.stderr), abortOnError: false });
  return { context, manager: context.get(copy.ProjectionManager) };
}

/**
 * The copy of this package the app's projections use. Usually the CLI's own; but an app compiled to
 * CommonJS (NestJS 11) loads the package's CommonJS build through require(), whose classes and
 * injection tokens (EventStore, the runtime) differ from this ES module build's: the CLI must then
 * add that copy's forRoot(), or the app's providers could not inject what they ask for. That copy
 * is found among the loaded CommonJS modules: by the app's `forFeature()` module if it has one,
 * else as the one copy the config's import loaded.
 */
async function packageCopyOf(app: unknown): Promise<PackageCopy> {
  const feature = await findModuleClass(app, DynamoEventSourcingFeatureModule.name);
  if (feature === DynamoEventSourcingFeatureModule) return OWN_COPY;
  const copies = Object.values(createRequire(import.meta.url).cache ?? {})
    .map((module) => module?.exports as Partial<PackageCopy> | undefined)
    .filter((exports): exports is PackageCopy => exports?.DynamoEventSourcingFeatureModule !== undefined && exports.DynamoEventSourcingModule !== undefined && exports.ProjectionManager !== undefined);
  const copy = feature === undefined ? (copies.length === 1 ? copies[0] : copies.length === 0 ? OWN_COPY : undefined) : copies.find((exports) => exports.DynamoEventSourcingFeatureModule === feature);
  if (copy === undefined) {
    throw new CliError(
      "the config's app uses another copy of nestjs-dynamo-es than this CLI's (or several); run the CLI installed next to the app (npx nestjs-dynamo-es in its project)",
    );
  }
  return copy;
}

function isModule(value: unknown): boolean {
  if (typeof value === 'function') return true;
  return value !== null && typeof value === 'object' && typeof (value as DynamicModule).module === 'function';
}

/** The first module class named `name` that `app` is or imports. By name: the app may hold another copy of this package, whose classes are not the CLI's. */
function findModuleClass(app: unknown, name: string): Promise<Function | undefined> {
  return findImportedModule(app, (moduleClass) => moduleClass.name === name);
}
