import { EventNotSerializableError } from '../../errors/event-not-serializable.error.js';
import { SnapshotNotSerializableError } from '../../errors/snapshot-not-serializable.error.js';
import { SnapshotsDisabledError } from '../../errors/snapshots-disabled.error.js';
import { assertStreamId } from '../../event-store/input-validation.js';
import { resolveModuleOptions, type ResolvedSnapshotOptions } from '../../options/resolve-module-options.js';
import { toJsonPayload } from '../../serialization/json-payload.js';
import type { LoadSnapshotOptions } from '../../snapshots/interfaces/load-snapshot-options.interface.js';
import type { PruneSnapshotsOptions } from '../../snapshots/interfaces/prune-snapshots-options.interface.js';
import type { SaveSnapshotOptions } from '../../snapshots/interfaces/save-snapshot-options.interface.js';
import type { SnapshotOptions } from '../../snapshots/interfaces/snapshot-options.interface.js';
import type { Snapshot, SnapshotInfo } from '../../snapshots/interfaces/snapshot.interface.js';
import { assertLoadOptions, assertPruneOptions, assertSaveOptions, assertSnapshotVersion } from '../../snapshots/snapshot-input-validation.js';
import { snapshotKey } from '../../snapshots/snapshot-keys.js';
import { packSnapshot } from '../../snapshots/snapshot-packer.js';
import type { SnapshotRepository } from '../../snapshots/snapshot-repository.js';
import type { PublicApiOf } from './public-api-of.js';

/** A stored snapshot: what `save()` reported, and the state's JSON. */
interface StoredSnapshot {
  readonly info: Omit<SnapshotInfo, 'takenAt'> & { readonly takenAt: number };
  readonly json: string;
}

/**
 * A {@link SnapshotRepository} in memory, for unit tests: the same methods with the same semantics,
 * and no DynamoDB. States are stored as JSON (one JSON cannot round-trip is a
 * `SnapshotNotSerializableError`, nothing stored) and every load parses a fresh copy; loads pick
 * the newest snapshot at or below a version, of a revision if asked; saving again at the same
 * version and revision replaces; `keep`, `prune` and `delete` work alike, and bad input gets the
 * same typed errors. `save()` reports the encoding, sizes and item count DynamoDB would store.
 * `ttlSeconds` is accepted and has no effect (DynamoDB's TTL deletes within days; loads never
 * looked at it).
 *
 * ```ts
 * const snapshots = new InMemorySnapshotRepository({ keep: 3 });
 * await snapshots.save('account-42', 10, { balance: 315 }, { revision: 1 });
 * const snapshot = await snapshots.load<{ balance: number }>('account-42', { revision: 1 });
 * ```
 *
 * `new InMemorySnapshotRepository(false)` is one with snapshots off: every call throws
 * `SnapshotsDisabledError`, as the DynamoDB module's does without its `snapshots` option.
 */
export class InMemorySnapshotRepository implements PublicApiOf<SnapshotRepository> {
  private readonly settings?: ResolvedSnapshotOptions;
  /** Stream id -> sort key (`snapshotKey`: string order is version, then revision order) -> snapshot. */
  private readonly streams = new Map<string, Map<string, StoredSnapshot>>();

  /**
   * @param options the `snapshots` option of `DynamoEventSourcingModule.forRoot()` (`{}` for the
   *   defaults), or `false` for snapshots turned off.
   * @throws InvalidModuleOptionsError for bad options, as the module would.
   */
  constructor(options: SnapshotOptions | false = {}) {
    this.settings = options === false ? undefined : resolveModuleOptions({ snapshots: options }).snapshots;
  }

  /**
   * Stores `state` as the stream's snapshot at `version`, replacing one of the same version and
   * revision; then, with `keep`, deletes the stream's older snapshots beyond it. See {@link SnapshotRepository.save}.
   *
   * @throws SnapshotNotSerializableError, InvalidArgumentError (nothing stored); SnapshotsDisabledError.
   */
  async save<TState>(streamId: string, version: number, state: TState, options: SaveSnapshotOptions): Promise<SnapshotInfo> {
    const settings = this.enabled();
    assertStreamId(streamId);
    assertSnapshotVersion(version);
    assertSaveOptions(options);
    const json = serialize(streamId, version, state);
    const takenAt = Date.now();
    // Laid out as DynamoDB would store it, only to report the same encoding, sizes and item count.
    const packed = await packSnapshot({ streamId, version, revision: options.revision, takenAt }, json);
    const info = {
      streamId,
      version,
      revision: options.revision,
      takenAt,
      sizeBytes: packed.sizeBytes,
      storedBytes: packed.storedBytes,
      encoding: packed.encoding,
      items: packed.parts.length + 1,
    };
    let snapshots = this.streams.get(streamId);
    if (snapshots === undefined) this.streams.set(streamId, (snapshots = new Map()));
    snapshots.set(snapshotKey(version, options.revision), { info, json });
    if (settings.keep !== undefined) this.deleteBeyond(streamId, settings.keep);
    return { ...info, takenAt: new Date(takenAt) };
  }

  /**
   * The stream's newest snapshot at or below `atOrBelowVersion` (default: any version), of
   * `revision` if given, or undefined. See {@link SnapshotRepository.load}.
   *
   * @throws InvalidArgumentError on a bad stream id or options; SnapshotsDisabledError.
   */
  async load<TState = unknown>(streamId: string, options?: LoadSnapshotOptions): Promise<Snapshot<TState> | undefined> {
    this.enabled();
    assertStreamId(streamId);
    assertLoadOptions(options);
    const { revision, atOrBelowVersion = Number.MAX_SAFE_INTEGER } = options ?? {};
    const found = this.newestFirst(streamId).find(({ info }) => info.version <= atOrBelowVersion && (revision === undefined || info.revision === revision));
    if (found === undefined) return undefined;
    return { ...found.info, takenAt: new Date(found.info.takenAt), state: JSON.parse(found.json) as TState };
  }

  /**
   * Deletes all but the stream's newest `keep` snapshots (any revision); resolves to the number deleted.
   *
   * @throws InvalidArgumentError on a bad stream id or options; SnapshotsDisabledError.
   */
  async prune(streamId: string, options: PruneSnapshotsOptions): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    assertPruneOptions(options);
    return this.deleteBeyond(streamId, options.keep);
  }

  /**
   * Deletes every snapshot of the stream; resolves to the number deleted.
   *
   * @throws InvalidArgumentError on a bad stream id; SnapshotsDisabledError.
   */
  async delete(streamId: string): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    const count = this.streams.get(streamId)?.size ?? 0;
    this.streams.delete(streamId);
    return count;
  }

  /** Deletes the stream's snapshots taken below `version`; resolves to the number deleted. */
  async deleteBelow(streamId: string, version: number): Promise<number> {
    this.enabled();
    assertStreamId(streamId);
    const kept = this.streams.get(streamId);
    if (kept === undefined) return 0;
    let count = 0;
    for (const key of [...kept.keys()]) {
      if (kept.get(key)!.info.version < version) {
        kept.delete(key);
        count++;
      }
    }
    return count;
  }

  private enabled(): ResolvedSnapshotOptions {
    if (this.settings === undefined) throw new SnapshotsDisabledError();
    return this.settings;
  }

  private newestFirst(streamId: string): StoredSnapshot[] {
    const snapshots = this.streams.get(streamId);
    if (snapshots === undefined) return [];
    return [...snapshots.keys()].sort().reverse().map((key) => snapshots.get(key)!);
  }

  private deleteBeyond(streamId: string, keep: number): number {
    const snapshots = this.streams.get(streamId);
    if (snapshots === undefined) return 0;
    const old = [...snapshots.keys()].sort().reverse().slice(keep);
    for (const key of old) snapshots.delete(key);
    return old.length;
  }
}

/** The state's JSON, refused as the DynamoDB repository refuses it. */
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
