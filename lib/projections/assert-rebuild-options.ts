import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { assertOptionsObject } from '../event-store/argument-shape.js';
import type { RebuildOptions } from './interfaces/rebuild-options.interface.js';

const REBUILD_OPTION_KEYS: ReadonlyArray<keyof RebuildOptions> = ['onProgress'];
const invalid = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_REBUILD_OPTIONS, message);

/**
 * Checks `ProjectionManager.rebuild()`'s options before anything changes: an object (a typo such as
 * `onProgres` is refused, not ignored) whose `onProgress`, if given, is a function.
 * @throws InvalidArgumentError (INVALID_REBUILD_OPTIONS)
 */
export function assertRebuildOptions(options: unknown): asserts options is RebuildOptions {
  assertOptionsObject(options, 'rebuild options', REBUILD_OPTION_KEYS, '{ onProgress }', invalid);
  const { onProgress } = options as RebuildOptions;
  if (onProgress !== undefined && typeof onProgress !== 'function') throw invalid(`onProgress must be a function; got ${describeValue(onProgress)}.`);
}
