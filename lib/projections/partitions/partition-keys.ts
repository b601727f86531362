/**
 * Keys of a projection's items in the projections table. Projection names cannot hold `#` or `!`,
 * so these never collide with another projection's name.
 *
 * - `<name>`: with one partition, the partition's item (checkpoint and lease) as in 0.4; with more,
 *   the projection's meta item (partition count, members, rebuild request).
 * - `<name>#<i>`: partition i's item (checkpoint and lease), when there are several.
 */
export function partitionKey(projection: string, partition: number, count: number): string {
  return count === 1 ? projection : `${projection}#${partition}`;
}

/** Every partition item's key, in partition order. */
export function partitionKeys(projection: string, count: number): string[] {
  return Array.from({ length: count }, (_, partition) => partitionKey(projection, partition, count));
}

/** One partition of a projection: where it is, of how many, and the key of its item. */
export interface PartitionSpec {
  readonly index: number;
  readonly count: number;
  readonly key: string;
}

export const partitionSpecs = (projection: string, count: number): PartitionSpec[] =>
  partitionKeys(projection, count).map((key, index) => ({ index, count, key }));
