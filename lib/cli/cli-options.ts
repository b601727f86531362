import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { basename } from 'node:path';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { DynamoEventSourcingModuleOptions } from '../interfaces/dynamo-event-sourcing-module-options.interface.js';
import { resolveModuleOptions, type ResolvedModuleOptions } from '../options/resolve-module-options.js';
import { CliUsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { stringFlag, type CliFlagValues } from './command-line.js';
import { loadConfigFile } from './config-file.js';

/** The environment variables the CLI reads (besides the AWS SDK's own: credentials, profile). */
export const ENV = {
  config: 'NESTJS_DYNAMO_ES_CONFIG',
  endpoint: 'DYNAMODB_ENDPOINT',
  tablePrefix: 'NESTJS_DYNAMO_ES_TABLE_PREFIX',
  region: 'AWS_REGION',
  defaultRegion: 'AWS_DEFAULT_REGION',
} as const;

/** The options a command runs with. */
export interface CliSettings {
  /** The module options as `DynamoEventSourcingModule.forRoot()` would get them: config file, then environment, then flags. */
  readonly options: DynamoEventSourcingModuleOptions;
  /** The same, checked by the module's own `resolveModuleOptions`, with defaults filled in. */
  readonly resolved: ResolvedModuleOptions;
  /** The config file's `app` export, if any. */
  readonly app?: unknown;
  readonly configPath?: string;
  /** Where requests go, for messages: the endpoint, or the region's AWS endpoint. */
  readonly target: string;
}

/** What a command needs of the options beyond what they say. */
export interface SettingsRequest {
  /** Treat snapshots as on (`snapshots: {}` unless set): for commands on the snapshots table. */
  readonly snapshots?: boolean;
}

/** Hosts whose DynamoDB (DynamoDB Local) takes any credentials. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/**
 * Builds the module options from the config file, the environment and the flags, and checks them
 * with the module's own `resolveModuleOptions`, so that a wrong option reads as it would at the
 * app's start-up, plus where it was set.
 *
 * Precedence: flags, then environment, then the config file, except for the region: a configured
 * `clientConfig.region` wins over `AWS_REGION`, as in the module (the AWS SDK's rule), since that
 * variable is set in most AWS shells and must not move a configured app to another region.
 *
 * @throws CliUsageError, InvalidModuleOptionsError (the message then says where the option came from).
 */
export async function loadCliSettings(values: CliFlagValues, io: CliIo, request: SettingsRequest = {}): Promise<CliSettings> {
  // An empty --config or --region is a mistake (an unset shell variable), not "the default".
  const configFlag = stringFlag(values, 'config') ?? nonEmpty(io.env[ENV.config]);
  const config = await loadConfigFile(configFlag, io.cwd);
  const origins = new Map<string, string>();
  const configName = config.path === undefined ? undefined : basename(config.path);
  const options: DynamoEventSourcingModuleOptions = { ...config.options };

  const prefix = pick(values['table-prefix'], '--table-prefix', io.env[ENV.tablePrefix], ENV.tablePrefix);
  if (prefix !== undefined) {
    options.tablePrefix = prefix.value;
    origins.set('tablePrefix', prefix.origin);
  }
  if (request.snapshots === true) options.snapshots ??= {};

  const endpoint = pick(values.endpoint, '--endpoint', io.env[ENV.endpoint], ENV.endpoint);
  const regionFlag = stringFlag(values, 'region');
  const region = regionFlag === undefined ? undefined : { value: regionFlag, origin: '--region' };
  if (options.client !== undefined) {
    // A client from a JavaScript config is used as it is, like the module does.
    const overridden = [endpoint?.origin, region?.origin].find((origin) => origin?.startsWith('--'));
    if (overridden !== undefined) throw new CliUsageError(`${overridden} cannot change the \`client\` that ${configName ?? 'the config file'} gives`);
  } else {
    options.clientConfig = clientConfigOf(options.clientConfig, endpoint, region, io.env);
  }

  let resolved: ResolvedModuleOptions;
  try {
    resolved = resolveModuleOptions(options);
  } catch (error) {
    if (!(error instanceof InvalidModuleOptionsError)) throw error;
    const origin = origins.get(error.option.split('.')[0]!) ?? (configName === undefined ? undefined : `in ${configName}`);
    throw origin === undefined ? error : new InvalidModuleOptionsError(error.option, `${problemOf(error)} (${origin.startsWith('in ') ? origin : `from ${origin}`})`);
  }
  return { options, resolved, app: config.app, configPath: config.path, target: targetOf(options) };
}

/** The client config: the configured one, with the endpoint and region set, and local credentials when talking to DynamoDB Local. */
function clientConfigOf(
  configured: DynamoDBClientConfig | undefined,
  endpoint: { value: string; origin: string } | undefined,
  region: { value: string; origin: string } | undefined,
  env: CliIo['env'],
): DynamoDBClientConfig {
  if (configured !== undefined && (configured === null || typeof configured !== 'object')) return configured; // the module's check says what is wrong
  const clientConfig: DynamoDBClientConfig = { ...configured };
  if (endpoint !== undefined) {
    assertEndpoint(endpoint.value, endpoint.origin);
    clientConfig.endpoint = endpoint.value;
  } else if (typeof clientConfig.endpoint === 'string') {
    assertEndpoint(clientConfig.endpoint, 'clientConfig.endpoint in the config file');
  }
  const url = typeof clientConfig.endpoint === 'string' ? new URL(clientConfig.endpoint) : undefined;
  const local = url !== undefined && LOCAL_HOSTS.has(url.hostname);
  clientConfig.region = region?.value ?? clientConfig.region ?? nonEmpty(env[ENV.region]) ?? nonEmpty(env[ENV.defaultRegion]) ?? (local ? 'us-east-1' : undefined);
  // DynamoDB Local accepts any credentials but still wants some: spare the user from inventing them.
  const hasCredentials = clientConfig.credentials !== undefined || env.AWS_ACCESS_KEY_ID !== undefined || env.AWS_PROFILE !== undefined;
  if (local && !hasCredentials) clientConfig.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  return clientConfig;
}

function assertEndpoint(endpoint: string, origin: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new CliUsageError(`${origin} must be an http(s) URL such as http://localhost:8000; got ${JSON.stringify(endpoint)}`);
  }
}

function targetOf(options: DynamoEventSourcingModuleOptions): string {
  if (options.client !== undefined) return 'the DynamoDB of the configured client';
  const { endpoint, region } = options.clientConfig ?? {};
  if (typeof endpoint === 'string') return endpoint;
  return typeof region === 'string' ? `DynamoDB in ${region}` : 'DynamoDB';
}

/** A flag's value, or else an environment variable's, with where it came from. */
function pick(flag: string | boolean | undefined, flagName: string, env: string | undefined, envName: string): { value: string; origin: string } | undefined {
  if (typeof flag === 'string') return { value: flag, origin: flagName };
  const fromEnv = nonEmpty(env);
  return fromEnv === undefined ? undefined : { value: fromEnv, origin: `$${envName}` };
}

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value === '' ? undefined : value);

/** The message of an InvalidModuleOptionsError without its `option \`x\`` head, to rebuild it with an origin. */
function problemOf(error: InvalidModuleOptionsError): string {
  const head = `DynamoEventSourcingModule option \`${error.option}\` `;
  const problem = error.message.startsWith(head) ? error.message.slice(head.length) : error.message;
  return problem.replace(/\.$/, '');
}
