/**
 * The feed index shard of a stream: FNV-1a of its id, modulo the shard count. A stream's commits
 * all land in one shard, so each shard sees that stream's commits in version order; spreading
 * streams over shards keeps any one index partition far below DynamoDB's 1,000 writes/s per key.
 */
export function feedShardOf(streamId: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < streamId.length; i++) {
    hash ^= streamId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
