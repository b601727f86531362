import { commitMetadataToStore } from '../metadata/commit-metadata.js';
import { EventMetadataContext } from '../metadata/event-metadata-context.js';
import { newEventId } from '../serialization/event-id.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { toJsonPayload } from '../serialization/json-payload.js';
import type { CommitHeader, PackableEvent } from './commit-packer.js';
import { assertExpectedVersion, type ExpectedVersion } from './expected-version.js';
import {
  assertCommitId,
  assertMessageId,
  assertMetadata,
  assertMetadataSize,
  assertNoReservedMetadataKey,
  assertStreamId,
  checkedEventList,
} from './input-validation.js';
import { assertOptionsObject } from './argument-shape.js';
import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import type { AppendOptions } from './interfaces/append-options.interface.js';

const APPEND_OPTION_KEYS: ReadonlyArray<keyof AppendOptions> = ['expectedVersion', 'commitId', 'metadata', 'correlationId', 'causationId', 'publish'];
const invalidOptions = (message: string) => new InvalidArgumentError(EventStoreErrorCode.INVALID_APPEND_OPTIONS, `${message} Nothing was written.`);

/** An append's input, checked and serialized: what any store needs before it decides where the commit lands. */
export interface PreparedAppend {
  readonly expectedVersion: ExpectedVersion;
  /** The caller's commit id, when it gave one (retries are recognized by it). */
  readonly callerCommitId?: string;
  /** The commit's header without its time (stamped when the commit is written). */
  readonly commit: Omit<CommitHeader, 'committedAt'>;
  readonly packable: PackableEvent[];
  /** The events as checked: each element read once (what was checked is what is published and counted). */
  readonly events: readonly object[];
  /** The caller's `publish` option, checked to be a boolean when given. */
  readonly publish?: boolean;
}

/**
 * Checks an append's arguments in a fixed order (so the same bad input gets the same error from
 * every store), merges the metadata of the current EventMetadataContext, and serializes the events.
 * Throws before anything is sent or stored.
 */
export function prepareAppend(streamId: string, events: readonly object[], options: AppendOptions, registry: EventTypeRegistry): PreparedAppend {
  assertStreamId(streamId);
  if (options === undefined) assertExpectedVersion(undefined); // says the expected version is required
  assertOptionsObject(options, 'append options', APPEND_OPTION_KEYS, '{ expectedVersion: 3 }', invalidOptions);
  // Each option read once: a getter cannot answer one thing to the check and another to the write.
  const { expectedVersion, commitId: callerCommitId, metadata, correlationId: ownCorrelationId, causationId: ownCausationId, publish } = options;
  assertExpectedVersion(expectedVersion);
  if (callerCommitId !== undefined) assertCommitId(callerCommitId);
  if (metadata !== undefined) {
    assertMetadata(metadata);
    assertNoReservedMetadataKey(metadata, 'The append\'s metadata');
  }
  const scope = EventMetadataContext.current();
  const correlationId = ownCorrelationId ?? scope?.correlationId;
  const causationId = ownCausationId ?? scope?.causationId;
  if (ownCorrelationId !== undefined) assertMessageId('correlationId', ownCorrelationId);
  if (ownCausationId !== undefined) assertMessageId('causationId', ownCausationId);
  // Anything else would decide publishing by truthiness ('false' publishes).
  if (publish !== undefined && typeof publish !== 'boolean') throw invalidOptions(`publish must be true or false; got ${describeValue(publish)}.`);
  const checked = checkedEventList(events);

  const packable = checked.map((event) => {
    const registered = registry.typeOf(event);
    const { entry, withoutDates } = registered.encodeEntry(event);
    return { type: registered.name, entry, bytes: Buffer.byteLength(entry, 'utf8'), withoutDates };
  });
  const appMetadata = scope?.metadata === undefined ? metadata : { ...scope.metadata, ...metadata };
  const stored = commitMetadataToStore(appMetadata, correlationId, causationId);
  const metadataJson = stored === undefined ? undefined : toJsonPayload('(commit metadata)', stored);
  if (metadataJson !== undefined) assertMetadataSize(metadataJson);
  const firstEventId = newEventId(Date.now());
  return {
    expectedVersion,
    callerCommitId,
    commit: { streamId, commitId: callerCommitId ?? firstEventId, firstEventId, metadataJson },
    packable,
    events: checked,
    publish,
  };
}
