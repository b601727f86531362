import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertOptionsObject, isArraySafely } from '../event-store/argument-shape.js';
import type { EventSourcingHealthOptions, LagScope } from './interfaces/health-options.interface.js';

const TABLE_KEYS = ['verifyIntervalMs', 'verifyTables', 'timeoutMs'] as const;
const PROJECTION_KEYS = ['maxLagMs', 'maxLagCommits', 'projections', 'lagScope', 'timeoutMs'] as const;
const LAG_SCOPES: readonly LagScope[] = ['instance', 'app'];

/** Which check's options: each accepts its own keys, `isHealthy` all of them. */
export type HealthCheckName = 'tables' | 'projections' | 'isHealthy';

const KNOWN: Record<HealthCheckName, readonly string[]> = {
  tables: TABLE_KEYS,
  projections: PROJECTION_KEYS,
  isHealthy: [...new Set([...TABLE_KEYS, ...PROJECTION_KEYS])],
};

const EXAMPLE: Record<HealthCheckName, string> = {
  tables: '{ verifyIntervalMs: 60000 }',
  projections: '{ maxLagMs: 5000 }',
  isHealthy: '{ maxLagMs: 5000 }',
};

const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_HEALTH_OPTIONS, message);

/**
 * Checks a health check's options before anything is read: an object of known keys (a typo such as
 * `maxLag` is refused, not ignored), durations and counts that are finite numbers of at least 0, a
 * list of projection names, a known lag scope. A mistake here is the controller's: it throws, and
 * Terminus answers 500 with the message, rather than a health check that never judges anything.
 * @throws InvalidArgumentError (INVALID_HEALTH_OPTIONS)
 */
export function assertHealthOptions(options: unknown, check: HealthCheckName): asserts options is EventSourcingHealthOptions {
  assertOptionsObject(options, `${check}() options`, KNOWN[check], EXAMPLE[check], invalid);
  const values = options as Record<string, unknown>;
  for (const key of ['verifyIntervalMs', 'timeoutMs', 'maxLagMs', 'maxLagCommits']) {
    const value = values[key];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw invalid(`${key} must be a finite number of at least 0; got ${describeValue(value)}.`);
    }
  }
  if (values.verifyTables !== undefined && typeof values.verifyTables !== 'boolean') throw invalid(`verifyTables must be a boolean; got ${describeValue(values.verifyTables)}.`);
  if (values.lagScope !== undefined && !LAG_SCOPES.includes(values.lagScope as LagScope)) {
    throw invalid(`lagScope must be 'instance' or 'app'; got ${describeValue(values.lagScope)}.`);
  }
  const names = values.projections;
  if (names !== undefined && (!isArraySafely(names) || names.some((name) => typeof name !== 'string'))) {
    throw invalid(`projections must be an array of projection names; got ${describeValue(names)}.`);
  }
}
