import type { CreateTableInput } from '@aws-sdk/client-dynamodb';

/**
 * Attributes of the items of the snapshots table. A stream's snapshots share its partition; the
 * sort key tells two kinds of item apart:
 *
 * - **Snapshot item**, sort key `s#<version>#<revision>` (both zero-padded to 16 digits, so that
 *   string order is version order, then revision order). The snapshot's metadata and, when the
 *   stored state fits one 400 KB item, the state itself: a small snapshot is this one item, written
 *   with one PutItem. A larger one lists its parts (`parts`, `partsId`, `checksum`) and is written
 *   only after all of them, so that it is visible only once complete.
 * - **Part item**, sort key `p#<version>#<partsId>#<index>`: one slice of a large snapshot's stored
 *   bytes (`data`). `partsId` is drawn afresh by each save, so a save never overwrites the parts of
 *   another snapshot, not even one at the same version and revision.
 *
 * The stored state is the state's JSON, as it is (`encoding: 'json'`) when its item fits 1 KB, the
 * unit DynamoDB bills writes in, and otherwise compressed with Brotli (`'br'`) when that is smaller.
 */
export const SnapshotItemAttribute = {
  /** Partition key (S): the stream id. */
  streamId: 'streamId',
  /** Sort key (S): `s#<version>#<revision>` or `p#<version>#<partsId>#<index>`. */
  sortKey: 'sortKey',
  /** (N) the stream version the state was built from. */
  version: 'version',
  /** (N) the schema revision of the state, given by the caller. */
  revision: 'revision',
  /** (N) save time, Unix milliseconds. */
  takenAt: 'takenAt',
  /** (N) bytes of the state's JSON (UTF-8), before any compression. */
  sizeBytes: 'sizeBytes',
  /** (S) `'json'` (UTF-8 JSON) or `'br'` (Brotli-compressed UTF-8 JSON). */
  encoding: 'encoding',
  /** (S or B, single-item snapshots only) the stored state: S for `'json'`, B for `'br'`. */
  state: 'state',
  /** (N) length of the stored (possibly compressed) state, in bytes. */
  storedBytes: 'storedBytes',
  /** (N, multi-part snapshots only) the number of part items. */
  parts: 'parts',
  /** (S, multi-part snapshots only) the id in the part items' sort keys. */
  partsId: 'partsId',
  /** (S, multi-part snapshots only) SHA-256 of the stored bytes, base64url. */
  checksum: 'checksum',
  /** (B, part items only) one slice of the stored bytes. */
  data: 'data',
  /**
   * (N, optional) expiry time, Unix seconds, on every item of a snapshot when `snapshots.ttlSeconds`
   * is set. The attribute to name in the table's time-to-live setting.
   */
  expiresAt: 'expiresAt',
} as const;

/** The TTL attribute of the snapshots table (see {@link SnapshotItemAttribute.expiresAt}). */
export const SNAPSHOTS_TTL_ATTRIBUTE = SnapshotItemAttribute.expiresAt;

/**
 * The snapshots table as a `CreateTableInput`, for `tableSetup: 'create'` and for carrying into
 * CloudFormation, CDK or Terraform. On-demand billing by default. With `snapshots.ttlSeconds`, also
 * turn on time to live on the attribute `expiresAt` (`TimeToLiveSpecification` in CloudFormation,
 * `UpdateTimeToLive` in the API; a `CreateTableInput` cannot carry it).
 */
export function snapshotsTableDefinition(tableName: string): CreateTableInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: SnapshotItemAttribute.streamId, AttributeType: 'S' },
      { AttributeName: SnapshotItemAttribute.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: SnapshotItemAttribute.streamId, KeyType: 'HASH' },
      { AttributeName: SnapshotItemAttribute.sortKey, KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
}
