import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { LoadSnapshotOptions } from './interfaces/load-snapshot-options.interface.js';
import type { PruneSnapshotsOptions } from './interfaces/prune-snapshots-options.interface.js';
import type { SaveSnapshotOptions } from './interfaces/save-snapshot-options.interface.js';
import { describeValue } from '../errors/describe-value.js';
import { assertOptionsObject } from '../event-store/argument-shape.js';

/** A snapshot is of a stream with at least one event. */
export function assertSnapshotVersion(version: unknown): asserts version is number {
  if (!Number.isSafeInteger(version) || (version as number) < 1) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_SNAPSHOT_VERSION,
      `version must be a whole number >= 1 (the stream version the state was built from); got ${describeValue(version)}.`,
    );
  }
}

const invalidOptions = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_SNAPSHOT_OPTIONS, message);

export function assertSaveOptions(options: unknown): asserts options is SaveSnapshotOptions {
  assertOptionsObject(options, 'save options', ['revision'], '{ revision: 1 }', invalidOptions);
  assertRevision((options as { revision?: unknown }).revision);
}

export function assertLoadOptions(options: unknown): asserts options is LoadSnapshotOptions | undefined {
  if (options === undefined) return;
  assertOptionsObject(options, 'load options', ['revision', 'atOrBelowVersion'], '{ revision: 1 }', invalidOptions);
  const { revision, atOrBelowVersion } = options as LoadSnapshotOptions;
  if (revision !== undefined) assertRevision(revision);
  if (atOrBelowVersion !== undefined && (!Number.isSafeInteger(atOrBelowVersion) || atOrBelowVersion < 0)) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_SNAPSHOT_VERSION, `atOrBelowVersion must be a whole number >= 0; got ${describeValue(atOrBelowVersion)}.`);
  }
}

export function assertPruneOptions(options: unknown): asserts options is PruneSnapshotsOptions {
  assertOptionsObject(options, 'prune options', ['keep'], '{ keep: 3 }', invalidOptions);
  const { keep } = options as { keep?: unknown };
  if (!Number.isSafeInteger(keep) || (keep as number) < 1) {
    throw invalidOptions(`prune needs { keep } with keep a whole number >= 1 (use delete() to remove every snapshot); got ${describeValue(keep)}.`);
  }
}

function assertRevision(revision: unknown): asserts revision is number {
  if (!Number.isSafeInteger(revision) || (revision as number) < 0) {
    throw new InvalidArgumentError(EventStoreErrorCode.INVALID_SNAPSHOT_REVISION, `revision must be a whole number >= 0; got ${describeValue(revision)}.`);
  }
}
