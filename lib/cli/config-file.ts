import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DynamoEventSourcingModuleOptions } from '../interfaces/dynamo-event-sourcing-module-options.interface.js';
import { CliUsageError } from './cli-error.js';

/** Looked for in the working directory, in this order, when no config file is named. */
export const DEFAULT_CONFIG_FILES = ['nestjs-dynamo-es.config.json', 'nestjs-dynamo-es.config.mjs', 'nestjs-dynamo-es.config.js'];

/** What a config file gives: the module's options and, from a JavaScript config, the app's projections module. */
export interface CliConfig {
  /** The file it was read from; undefined when there is none. */
  readonly path?: string;
  readonly options: DynamoEventSourcingModuleOptions;
  /** The `app` export: the Nest module whose providers include the app's projections (for the `projection` commands). */
  readonly app?: unknown;
}

const CONFIG_KEYS = ['options', 'app'];

/**
 * Reads the config file `path` (relative to `cwd`), or else the first default file in `cwd` that
 * exists, or else gives empty options.
 *
 * - `.json`: the module options, as an object (or `{ "options": {...} }`).
 * - `.mjs`/`.js`: named exports `options` and `app`, or a default export of `{ options, app }`, or of a
 *   function returning it (or a promise of it).
 *
 * @throws CliUsageError when the file is missing, cannot be read or parsed, or has the wrong shape.
 */
export async function loadConfigFile(path: string | undefined, cwd: string): Promise<CliConfig> {
  const file = path === undefined ? DEFAULT_CONFIG_FILES.map((name) => resolve(cwd, name)).find((candidate) => existsSync(candidate)) : resolve(cwd, path);
  if (file === undefined) return { options: {} };
  if (!existsSync(file) || !statSync(file).isFile()) throw new CliUsageError(`config file ${file} does not exist`);
  const extension = extname(file);
  if (extension === '.json') return { path: file, ...fromJson(file) };
  if (extension === '.mjs' || extension === '.js' || extension === '.cjs') return { path: file, ...(await fromModule(file)) };
  throw new CliUsageError(`config file ${file} must be .json, .mjs or .js`);
}

function fromJson(file: string): Omit<CliConfig, 'path'> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliUsageError(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new CliUsageError(`config file ${file} must hold a JSON object of module options`);
  // `options` is no module option, so a file holding only it can only mean the wrapped form.
  const keys = Object.keys(parsed);
  if (keys.length === 1 && keys[0] === 'options') return { options: checkedOptions(file, parsed.options) };
  return { options: parsed as DynamoEventSourcingModuleOptions };
}

async function fromModule(file: string): Promise<Omit<CliConfig, 'path'>> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliUsageError(`config file ${file} could not be loaded: ${(error as Error)?.message ?? String(error)}`);
  }
  let config: unknown = namespace.default === undefined ? { options: namespace.options, app: namespace.app } : namespace.default;
  if (typeof config === 'function') {
    try {
      config = await (config as () => unknown)();
    } catch (error) {
      throw new CliUsageError(`config file ${file}: its default export threw: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  if (!isObject(config)) throw new CliUsageError(`config file ${file} must export { options, app? } (named or as the default export)`);
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) throw new CliUsageError(`config file ${file} exports "${key}", which is not a config key (known: ${CONFIG_KEYS.join(', ')})`);
  }
  return { options: checkedOptions(file, config.options), app: config.app };
}

function checkedOptions(file: string, options: unknown): DynamoEventSourcingModuleOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new CliUsageError(`config file ${file}: options must be an object of module options`);
  return options as DynamoEventSourcingModuleOptions;
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
