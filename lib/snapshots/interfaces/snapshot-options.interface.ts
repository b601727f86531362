/** The `snapshots` module option: how long snapshots are kept. */
export interface SnapshotOptions {
  /**
   * After each save, keep only the newest `keep` snapshots of the stream (any revision) and delete
   * the older ones. Default: keep all. Deleting costs write units as writing did (DynamoDB bills a
   * delete by the item's size); `ttlSeconds` removes old snapshots for free.
   */
  keep?: number;
  /**
   * Write a time to live on every snapshot item: DynamoDB deletes it (at no cost, usually within a
   * few days) once `ttlSeconds` have passed after the save. Default: none. The table's TTL attribute
   * is `expiresAt`; `tableSetup: 'create'` turns TTL on, `'verify'` checks that it is on.
   */
  ttlSeconds?: number;
}
