import { createHash } from 'node:crypto';

/**
 * The partition (0 to `count` - 1) that a stream's events go to: the first four bytes of the MD5 of
 * the stream id's UTF-8, read as an unsigned big-endian number, modulo `count`. Stable across
 * processes, versions and languages, so every instance (and a Lambda) agrees, and each stream's
 * events stay in one partition, in version order.
 */
export function partitionOf(streamId: string, count: number): number {
  if (count === 1) return 0;
  return createHash('md5').update(streamId, 'utf8').digest().readUInt32BE(0) % count;
}
