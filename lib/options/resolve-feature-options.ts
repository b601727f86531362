import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { describeArgument, isArraySafely, isRevokedProxy } from '../event-store/argument-shape.js';
import type { DynamoEventSourcingFeatureOptions } from '../aggregates/interfaces/aggregate-registration.interface.js';

const FEATURE_OPTIONS: ReadonlyArray<keyof DynamoEventSourcingFeatureOptions> = ['aggregates', 'events', 'projections', 'imports'];

/**
 * Checks the shape of `forFeature()`'s options when the module is defined: an object with known
 * keys (a typo such as `aggregate` would leave the app without its repositories, found only at the
 * first injection), and `events` and `imports` arrays. The entries of `aggregates`, `events` and
 * `projections` are checked where they are registered.
 * @throws InvalidModuleOptionsError naming the option.
 */
export function assertFeatureOptions(options: unknown): asserts options is DynamoEventSourcingFeatureOptions {
  if (options === null || typeof options !== 'object' || isRevokedProxy(options) || Array.isArray(options)) {
    throw new InvalidModuleOptionsError('forFeature(options)', `must be an object such as { aggregates, events, projections }; got ${describeArgument(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (!(FEATURE_OPTIONS as readonly string[]).includes(key)) {
      throw new InvalidModuleOptionsError(key, `is not an option of forFeature(). Known: ${FEATURE_OPTIONS.join(', ')}.`);
    }
  }
  const { events, imports } = options as DynamoEventSourcingFeatureOptions;
  // Iterated when the app starts: anything but an array would fail there with the engine's TypeError.
  if (events !== undefined && !isArraySafely(events)) {
    throw new InvalidModuleOptionsError('events', `of forFeature() must be an array of event classes; got ${describeArgument(events)}.`);
  }
  if (imports !== undefined && !isArraySafely(imports)) {
    throw new InvalidModuleOptionsError('imports', `of forFeature() must be an array of modules; got ${describeArgument(imports)}.`);
  }
}
