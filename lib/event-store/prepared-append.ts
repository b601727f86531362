import { commitMetadataToStore } from '../metadata/commit-metadata.js';
import { EventMetadataContext } from '../metadata/event-metadata-context.js';
import { newEventId } from '../serialization/event-id.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { toJsonPayload } from '../serialization/json-payload.js';
import type { CommitHeader, PackableEvent } from './commit-packer.js';
import { assertExpectedVersion, type ExpectedVersion } from './expected-version.js';
import {
  assertCommitId,
  assertEventList,
  assertMessageId,
  assertMetadata,
  assertMetadataSize,
  assertNoReservedMetadataKey,
  assertStreamId,
} from './input-validation.js';
import type { AppendOptions } from './interfaces/append-options.interface.js';

/** An append's input, checked and serialized: what any store needs before it decides where the commit lands. */
export interface PreparedAppend {
  readonly expectedVersion: ExpectedVersion;
  /** The caller's commit id, when it gave one (retries are recognized by it). */
  readonly callerCommitId?: string;
  /** The commit's header without its time (stamped when the commit is written). */
  readonly commit: Omit<CommitHeader, 'committedAt' | 'feedShard'>;
  readonly packable: PackableEvent[];
}

/**
 * Checks an append's arguments in a fixed order (so the same bad input gets the same error from
 * every store), merges the metadata of the current EventMetadataContext, and serializes the events.
 * Throws before anything is sent or stored.
 */
export function prepareAppend(streamId: string, events: readonly object[], options: AppendOptions, registry: EventTypeRegistry): PreparedAppend {
  assertStreamId(streamId);
  assertExpectedVersion(options?.expectedVersion);
  const { expectedVersion, metadata } = options;
  const callerCommitId = options.commitId;
  if (callerCommitId !== undefined) assertCommitId(callerCommitId);
  if (metadata !== undefined) {
    assertMetadata(metadata);
    assertNoReservedMetadataKey(metadata, 'The append\'s metadata');
  }
  const scope = EventMetadataContext.current();
  const correlationId = options.correlationId ?? scope?.correlationId;
  const causationId = options.causationId ?? scope?.causationId;
  if (options.correlationId !== undefined) assertMessageId('correlationId', options.correlationId);
  if (options.causationId !== undefined) assertMessageId('causationId', options.causationId);
  assertEventList(events);

  const packable = events.map((event) => {
    const registered = registry.typeOf(event);
    const entry = registered.encode(event);
    return { type: registered.name, entry, bytes: Buffer.byteLength(entry, 'utf8') };
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
  };
}
