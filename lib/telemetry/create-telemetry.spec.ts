import { describe, expect, it, jest } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { resolveModuleOptions } from '../options/resolve-module-options.js';
import { createTelemetry, type TelemetryAdapterModule, type TelemetryLoader } from './create-telemetry.js';
import { NO_TELEMETRY } from './no-telemetry.js';

const client = {} as DynamoDBClient;
/** What Node throws when `@opentelemetry/api` is not installed (ESM; CommonJS says MODULE_NOT_FOUND). */
const missing = (code: string) => Object.assign(new Error("Cannot find package '@opentelemetry/api' imported from open-telemetry.js"), { code });
const failingWith = (error: Error): TelemetryLoader => () => Promise.reject(error);

describe('createTelemetry', () => {
  it('records nothing, and loads nothing, with telemetry: false', async () => {
    const load = jest.fn<TelemetryLoader>();
    expect(await createTelemetry(false, client, load)).toBe(NO_TELEMETRY);
    expect(load).not.toHaveBeenCalled();
  });

  it.each(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'])('falls back to no telemetry when @opentelemetry/api cannot be loaded (%s)', async (code) => {
    expect(await createTelemetry({}, client, failingWith(missing(code)))).toBe(NO_TELEMETRY);
  });

  it('refuses providers it cannot use without the API, with a typed error saying what to install', async () => {
    const given = createTelemetry({ tracerProvider: { getTracer: () => ({}) } }, client, failingWith(missing('ERR_MODULE_NOT_FOUND')));
    await expect(given).rejects.toBeInstanceOf(InvalidModuleOptionsError);
    await expect(given).rejects.toThrow(/npm install @opentelemetry\/api/);
  });

  it('does not hide other failures to load', async () => {
    const broken = Object.assign(new Error("Cannot find module './metrics.js'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(createTelemetry({}, client, failingWith(broken))).rejects.toBe(broken);
  });

  it('hands the options and the client to the adapter it loaded', async () => {
    const adapter = { enabled: true } as never;
    const createOpenTelemetry = jest.fn<TelemetryAdapterModule['createOpenTelemetry']>(() => adapter);
    const options = { meterProvider: { getMeter: () => ({}) } };
    expect(await createTelemetry(options, client, () => Promise.resolve({ createOpenTelemetry }))).toBe(adapter);
    expect(createOpenTelemetry).toHaveBeenCalledWith(options, client);
  });
});

describe('NO_TELEMETRY', () => {
  it('only calls through: results, errors and iterables are the operation’s own', async () => {
    await expect(NO_TELEMETRY.trace('nestjs-dynamo-es read', undefined, () => Promise.resolve(7))).resolves.toBe(7);
    const failure = new Error('no');
    await expect(NO_TELEMETRY.traceAppend({ streamId: 's', expectedVersion: 0, eventCount: 1, commitId: 'c' }, () => Promise.reject(failure))).rejects.toBe(failure);
    async function* pages() {
      yield [1];
    }
    const generator = pages();
    expect(NO_TELEMETRY.tracePages('nestjs-dynamo-es replay page', undefined, generator, (page) => page.length)).toBe(generator);
  });
});

describe('the telemetry option', () => {
  it.each([
    ['telemetry', 'yes'],
    ['telemetry', true],
    ['telemetry.sampler', { sampler: {} }],
    ['telemetry.tracerProvider', { tracerProvider: {} }],
    ['telemetry.meterProvider', { meterProvider: { getTracer: () => ({}) } }],
  ])('refuses a bad value with a typed error naming %s', (option, telemetry) => {
    const resolve = () => resolveModuleOptions({ telemetry: telemetry as never });
    expect(resolve).toThrow(InvalidModuleOptionsError);
    expect(resolve).toThrow(`option \`${option}\``);
  });

  it('defaults to the global providers, and takes false', () => {
    expect(resolveModuleOptions({}).telemetry).toEqual({ tracerProvider: undefined, meterProvider: undefined });
    expect(resolveModuleOptions({ telemetry: false }).telemetry).toBe(false);
  });
});
