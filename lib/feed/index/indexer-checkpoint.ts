/**
 * How far the indexer has read the table's DynamoDB Stream, stored in every index batch it writes
 * (one item: a batch and the checkpoint that produced it land together or not at all).
 */
export interface IndexerCheckpoint {
  /** ARN of the DynamoDB Stream read; a new stream (disabled and enabled again) starts its shards afresh. */
  readonly streamArn?: string;
  /**
   * Per shard id: the sequence number of the last record taken in (indexed or dropped as a
   * duplicate), or `'end'` once a closed shard has been read to its end.
   */
  readonly shards: Readonly<Record<string, string>>;
  /**
   * Streams whose commits were read from the table ahead of their records (the records came out of
   * order): stream id to the last version so indexed. Their records are dropped when they come.
   * Kept for a day by the indexer's clock (records live 24 hours), for at most 10,000 streams.
   */
  readonly filled?: Readonly<Record<string, { readonly version: number; readonly at: number }>>;
  /**
   * Set while a reconciliation (a rebuild from the table after records were lost, or the migration
   * from 0.3) is under way: an indexer that finds it on the index head runs the reconciliation again
   * rather than trust the shard positions.
   */
  readonly reconciling?: true;
}

export const SHARD_END = 'end';

/** Orders two sequence numbers of one shard (decimal strings of up to 40 digits). */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
