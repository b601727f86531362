import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { TelemetryOptions } from './interfaces/telemetry-options.interface.js';
import { NO_TELEMETRY } from './no-telemetry.js';
import type { Telemetry } from './telemetry.js';

/** What the OpenTelemetry adapter module exports (typed by shape: its own typings name the API's types). */
export interface TelemetryAdapterModule {
  createOpenTelemetry(options: TelemetryOptions, client: DynamoDBClient): Telemetry;
}

/** Loads the adapter, and with it `@opentelemetry/api`. The CommonJS build turns this import into a require(). */
export type TelemetryLoader = () => Promise<TelemetryAdapterModule>;

const loadAdapter: TelemetryLoader = () => import('./open-telemetry.js');

/** Whether loading failed because `@opentelemetry/api` is not installed (not because it is broken). */
function isApiMissing(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes('@opentelemetry/api');
}

/**
 * The module's telemetry for its (checked) `telemetry` option: none with `false`; otherwise the
 * OpenTelemetry adapter, loaded now, on the given providers or the global ones. Without
 * `@opentelemetry/api` installed, none, unless providers were given (then the app meant to trace).
 * @throws InvalidModuleOptionsError when providers are given but the API cannot be loaded.
 */
export async function createTelemetry(option: TelemetryOptions | false, client: DynamoDBClient, load: TelemetryLoader = loadAdapter): Promise<Telemetry> {
  if (option === false) return NO_TELEMETRY;
  let adapter: TelemetryAdapterModule;
  try {
    adapter = await load();
  } catch (error) {
    if (!isApiMissing(error)) throw error;
    if (option.tracerProvider === undefined && option.meterProvider === undefined) return NO_TELEMETRY;
    throw new InvalidModuleOptionsError(
      'telemetry',
      `gives OpenTelemetry providers, but @opentelemetry/api cannot be loaded (${(error as Error).message}): install it (npm install @opentelemetry/api), or leave the option out.`,
    );
  }
  return adapter.createOpenTelemetry(option, client);
}
