import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { EventNotSerializableError } from '../errors/event-not-serializable.error.js';
import { SnapshotNotSerializableError } from '../errors/snapshot-not-serializable.error.js';
import { SnapshotsDisabledError } from '../errors/snapshots-disabled.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { WriteOutcomeUnknownError } from '../errors/write-outcome-unknown.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { assertStreamId } from '../event-store/input-validation.js';
import type { ResolvedSnapshotOptions } from '../options/resolve-module-options.js';
import { toJsonPayload } from '../serialization/json-payload.js';
import { SnapshotItemAttribute as A } from '../tables/snapshots-table.js';
import { concurrentMap, ConcurrentMapError } from './concurrent-map.js';
import type { LoadSnapshotOptions } from './interfaces/load-snapshot-options.interface.js';
import type { PruneSnapshotsOptions } from './interfaces/prune-snapshots-options.interface.js';
import type { SaveSnapshotOptions } from './interfaces/save-snapshot-options.interface.js';
import type { Snapshot, SnapshotInfo } from './interfaces/snapshot.interface.js';
import { decodeStoredState } from './snapshot-codec.js';
import { assertLoadOptions, assertPruneOptions, assertSaveOptions, assertSnapshotVersion } from './snapshot-input-validation.js';
import { decodeSnapshotItem, type StoredSnapshotItem } from './snapshot-item.codec.js';
import { isSnapshotKey, partKey } from './snapshot-keys.js';
import { checksumOf, packSnapshot } from './snapshot-packer.js';
import { SnapshotTableClient } from './snapshot-table-client.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { loadedSnapshotAttributes, snapshotAttributes } from '../telemetry/operation-attributes.js';
import { SpanAttribute, SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';

type Item = Record<string, AttributeValue>;

/** Part items written or read at once: 4 x 400 KB in flight keeps memory and request bursts modest. */
const PART_CONCURRENCY = 4;

/**
 * Saves and loads snapshots of stream states, in their own DynamoDB table, at any size.
 *
 * A state is stored as JSON: as it is when its item fits 1 KB, otherwise compressed with Brotli,
 * in one item up to 400 KB (one PutItem) or split over part items. A multi-part snapshot becomes
 * visible only when its last item, the snapshot item listing the parts and their checksum, is
 * written after all of them; a load checks the parts against it and falls back to the next older
 * snapshot if any is missing or altered. So a half-written snapshot is never returned.
 * Every load is strongly consistent. Turned on by the module's `snapshots` option.
 */
@Injectable()
export class SnapshotRepository {
  private readonly logger = new Logger(SnapshotRepository.name);
  private readonly table: SnapshotTableClient;
  private readonly settings?: ResolvedSnapshotOptions;
  private readonly telemetry: Telemetry;

  constructor(@Inject(EVENT_SOURCING_RUNTIME) runtime: EventSourcingRuntime) {
    this.table = new SnapshotTableClient(runtime.client, runtime.options.snapshotsTable, runtime.options.retry);
    this.settings = runtime.options.snapshots;
    this.telemetry = runtime.telemetry ?? NO_TELEMETRY;
  }

  /**
   * Stores `state` as the stream's snapshot at `version`, replacing one of the same version and
   * revision. Then, with the `snapshots.keep` option, deletes the stream's older snapshots beyond it.
   *
   * @throws SnapshotNotSerializableError when the state would not survive JSON (nothing written).
   * @throws InvalidArgumentError on a bad stream id, version or revision (nothing written).
   * @throws RetriesExhaustedError when DynamoDB kept throttling; no partial snapshot is ever visible.
   * @throws SnapshotsDisabledError when the module has no `snapshots` option.
   */
  async save<TState>(streamId: string, version: number, state: TState, options: SaveSnapshotOptions): Promise<SnapshotInfo> {
    const settings = this.enabled();
    assertStreamId(streamId);
    assertSnapshotVersion(version);
    assertSaveOptions(options);
    const json = serialize(streamId, version, state);
    return this.telemetry.trace(
      SpanName.snapshotSave,
      () => snapshotAttributes(streamId, version, options.revision),
      () => this.store(settings, streamId, version, json, options),
      (saved) => ({ [SpanAttribute.snapshotBytes]: saved.storedBytes, [SpanAttribute.itemCount]: saved.items }),
    );
  }

  /** Writes a checked, serialized snapshot (parts first, then the snapshot item that lists them), and prunes. */
  private async store(settings: ResolvedSnapshotOptions, streamId: string, version: number, json: string, options: SaveSnapshotOptions): Promise<SnapshotInfo> {
    const takenAt = Date.now();
    const expiresAt = settings.ttlSeconds === undefined ? undefined : Math.ceil(takenAt / 1000) + settings.ttlSeconds;
    const packed = await packSnapshot({ streamId, version, revision: options.revision, takenAt, expiresAt }, json);
    const operation = `Snapshot save of stream "${streamId}" at version ${version}`;

    await this.writeParts(streamId, packed.parts, operation);
    const ownPartsId = packed.snapshot[A.partsId]?.S;
    let replaced: Item | undefined;
    try {
      replaced = await this.table.put(packed.snapshot, operation);
    } catch (error) {
      // The put may have landed before the failure (a lost response): then this save did succeed,
      // and its parts must stay. Discard them only when the snapshot item is not ours.
      const checked = await this.table.get(streamId, sortKeyOf(packed.snapshot), operation).then(
        (current) => ({ current }),
        () => undefined, // cannot tell: the put's error says the outcome is unknown, if it is
      );
      const current = checked?.current;
      const landed = current !== undefined && current[A.takenAt]?.N === packed.snapshot[A.takenAt]?.N && current[A.partsId]?.S === ownPartsId;
      if (!landed) {
        await this.discard(streamId, packed.parts.map(sortKeyOf), operation);
        // Unanswered puts, but the table says this save is not there: a known outcome after all.
        if (checked !== undefined && error instanceof WriteOutcomeUnknownError) {
          throw new RetriesExhaustedError(operation, error.attempts, error.lastErrorName, {
            cause: error,
            advice:
              'The snapshot was not there when the table was checked after the last attempt (a request still in flight could land ' +
              'later: then it is whole, or it is skipped on load for its discarded parts); saving it again is safe.',
          });
        }
        throw error;
      }
    }
    // ALL_OLD of an SDK retry whose first attempt landed is this very save's item: its parts are ours, not replaced ones.
    const replacedParts = replaced === undefined ? undefined : decodeSnapshotItem(replaced).parts;
    if (replacedParts !== undefined && replacedParts.id !== ownPartsId) {
      await this.discard(streamId, partKeys(version, replacedParts.id, replacedParts.count), operation);
    }
    if (settings.keep !== undefined) await this.pruneAfterSave(streamId, settings.keep);

    return {
      streamId,
      version,
      revision: options.revision,
      takenAt: new Date(takenAt),
      sizeBytes: packed.sizeBytes,
      storedBytes: packed.storedBytes,
      encoding: packed.encoding,
      items: packed.parts.length + 1,
    };
  }

  /**
   * The stream's newest complete snapshot at or below `atOrBelowVersion` (default: any version), of
   * `revision` if given, or undefined. Strongly consistent. A snapshot whose parts are missing or do
   * not match their checksum (a save that died midway, an expired part) is skipped with a warning.
   *
   * @throws InvalidArgumentError on a bad stream id or options.
   * @throws SnapshotsDisabledError when the module has no `snapshots` option.
   */
  async load<TState = unknown>(streamId: string, options?: LoadSnapshotOptions): Promise<Snapshot<TState> | undefined> {
    this.enabled();
    assertStreamId(streamId);
    assertLoadOptions(options);
    const { revision, atOrBelowVersion } = options ?? {};
    if (atOrBelowVersion === 0) return undefined;
    return this.telemetry.trace(
      SpanName.snapshotLoad,
      () => snapshotAttributes(streamId, undefined, revision),
      () => this.newestComplete<TState>(streamId, atOrBelowVersion, revision),
      loadedSnapshotAttributes,
    );
  }

  private async newestComplete<TState>(streamId: string, atOrBelowVersion: number | undefined, revision: number | undefined): Promise<Snapshot<TState> | undefined> {
    for await (const item of this.table.newestFirst(streamId, atOrBelowVersion, revision)) {
      const snapshot = await this.restore<TState>(decodeSnapshotItem(item));
      if (snapshot !== undefined) return snapshot;
    }
    return undefined;
  }

  /**
   * Deletes all but the stream's newest `keep` snapshots (any revision): their snapshot items first,
   * so that none is ever visible without its parts, then the parts. Resolves to the number deleted.
   * Note that DynamoDB bills a delete like a write of the item; `snapshots.ttlSeconds` deletes for free.
   */
  async prune(streamId: string, options: PruneSnapshotsOptions): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    assertPruneOptions(options);
    const old = (await this.table.snapshotKeys(streamId)).slice(options.keep);
    const operation = `Snapshot pruning of stream "${streamId}"`;
    await this.table.delete(streamId, old.map((snapshot) => snapshot.sortKey), operation);
    const parts = old.flatMap((s) => (s.partsId === undefined ? [] : partKeys(s.version, s.partsId, s.parts ?? 0)));
    await this.table.delete(streamId, parts, operation);
    return old.length;
  }

  /**
   * Deletes every snapshot item of the stream, parts left by failed saves included (for example to
   * erase personal data; the events are the EventStore's). Resolves to the number of snapshots deleted.
   * It deletes what it finds when it starts: make sure no save of the stream runs meanwhile (a
   * save in flight, or an aggregate load that takes a catch-up snapshot, would leave one behind).
   */
  async delete(streamId: string): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    const keys = await this.table.allSortKeys(streamId);
    const snapshots = keys.filter(isSnapshotKey);
    const operation = `Snapshot deletion of stream "${streamId}"`;
    await this.table.delete(streamId, snapshots, operation);
    await this.table.delete(streamId, keys.filter((key) => !isSnapshotKey(key)), operation);
    return snapshots.length;
  }

  /**
   * Deletes the stream's snapshots taken below `version` (any revision), as {@link prune} does:
   * a stream's retention made them useless (an aggregate cannot start from them). Resolves to the
   * number deleted.
   */
  async deleteBelow(streamId: string, version: number): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    const old = (await this.table.snapshotKeys(streamId)).filter((snapshot) => snapshot.version < version);
    const operation = `Snapshot pruning of stream "${streamId}"`;
    await this.table.delete(streamId, old.map((snapshot) => snapshot.sortKey), operation);
    await this.table.delete(streamId, old.flatMap((s) => (s.partsId === undefined ? [] : partKeys(s.version, s.partsId, s.parts ?? 0))), operation);
    return old.length;
  }

  private enabled(): ResolvedSnapshotOptions {
    if (this.settings === undefined) throw new SnapshotsDisabledError();
    return this.settings;
  }

  /** Writes the parts; if one fails, removes the ones that may have landed and rethrows. */
  private async writeParts(streamId: string, parts: readonly Item[], operation: string): Promise<void> {
    try {
      await concurrentMap(parts, PART_CONCURRENCY, (part) => this.table.put(part, operation));
    } catch (error) {
      if (!(error instanceof ConcurrentMapError)) throw error;
      await this.discard(streamId, parts.slice(0, error.started).map(sortKeyOf), operation);
      throw error.cause;
    }
  }

  /** Best-effort removal of items no snapshot item lists; left over, they cost storage but are never read. */
  private async discard(streamId: string, sortKeys: readonly string[], operation: string): Promise<void> {
    try {
      await this.table.delete(streamId, sortKeys, operation);
    } catch (error) {
      this.logger.warn(`${operation}: ${sortKeys.length} unlisted part items could not be deleted (${(error as Error).message}); delete(streamId) removes them.`);
    }
  }

  /** The save has succeeded: a failed pruning is reported, not thrown; the next save prunes again. */
  private async pruneAfterSave(streamId: string, keep: number): Promise<void> {
    try {
      await this.prune(streamId, { keep });
    } catch (error) {
      this.logger.warn(`Snapshot pruning of stream "${streamId}" failed (${(error as Error).message}); the next save tries again.`);
    }
  }

  /** The snapshot with its state, or undefined (with a warning) when it is incomplete or corrupt. */
  private async restore<TState>(stored: StoredSnapshotItem): Promise<Snapshot<TState> | undefined> {
    const { info } = stored;
    const where = `Snapshot of stream "${info.streamId}" at version ${info.version} (revision ${info.revision})`;
    let bytes: Uint8Array;
    if (stored.parts === undefined) {
      bytes = stored.state?.B ?? Buffer.from(stored.state?.S ?? '', 'utf8');
    } else {
      const { id, count, checksum } = stored.parts;
      const keys = partKeys(info.version, id, count);
      const parts = await concurrentMap(keys, PART_CONCURRENCY, (key) => this.table.get(info.streamId, key, `Snapshot load of stream "${info.streamId}"`)).catch(
        (error: unknown) => {
          throw error instanceof ConcurrentMapError ? error.cause : error;
        },
      );
      const missing = parts.filter((part) => part?.[A.data]?.B === undefined).length;
      if (missing > 0) {
        this.logger.warn(`${where} is missing ${missing} of its ${count} parts; skipped.`);
        return undefined;
      }
      bytes = Buffer.concat(parts.map((part) => part![A.data]!.B!));
      if (bytes.length !== info.storedBytes || checksumOf(bytes) !== checksum) {
        this.logger.warn(`${where} does not match its checksum; skipped.`);
        return undefined;
      }
    }
    try {
      const state = JSON.parse(await decodeStoredState(info.encoding, bytes, info.sizeBytes)) as TState;
      return { ...info, state };
    } catch (error) {
      this.logger.warn(`${where} cannot be decoded (${(error as Error).message}); skipped.`);
      return undefined;
    }
  }
}

function serialize(streamId: string, version: number, state: unknown): string {
  try {
    return toJsonPayload('(snapshot)', state as object);
  } catch (error) {
    if (error instanceof EventNotSerializableError) {
      throw new SnapshotNotSerializableError(streamId, version, error.path, error.reason, { cause: error });
    }
    throw error;
  }
}

function partKeys(version: number, partsId: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => partKey(version, partsId, index));
}

const sortKeyOf = (item: Item): string => item[A.sortKey]!.S!;
