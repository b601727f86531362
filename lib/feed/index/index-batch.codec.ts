import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventItemAttribute as E } from '../../tables/events-table.js';
import type { FeedIndexMeta, IndexBatch } from './index-batch.js';
import type { IndexedCommit } from './indexed-commit.js';
import type { IndexerCheckpoint } from './indexer-checkpoint.js';
import { FEED_INDEX_META_VERSION, FEED_INDEX_STREAM, FeedIndexAttribute as F } from './feed-index-keys.js';

type Item = Record<string, AttributeValue>;
type StoredCommit = [string, number, number] | [string, number, number, number[]];

/** Layout version written in the meta item; readers refuse an index with a newer one. */
export const FEED_INDEX_FORMAT = 1;

/**
 * DynamoDB's item limit is 400 KB; a batch stays well below it so that the checkpoint (a few hundred
 * bytes per shard) always fits beside its commits.
 */
export const MAX_BATCH_COMMIT_BYTES = 300 * 1024;

export function encodeCommits(commits: readonly IndexedCommit[]): string {
  return JSON.stringify(commits.map((c): StoredCommit => (c.slices === undefined || c.slices.length === 0 ? [c.streamId, c.version, c.commitEnd] : [c.streamId, c.version, c.commitEnd, [...c.slices]])));
}

/** Bytes one commit adds to a batch's `commits` attribute (for splitting batches under the item limit). */
export function encodedCommitBytes(commit: IndexedCommit): number {
  return Buffer.byteLength(encodeCommits([commit]), 'utf8') - 1; // the array's brackets count once per batch
}

export function encodeBatch(batch: IndexBatch): Item {
  const item: Item = {
    [E.streamId]: { S: FEED_INDEX_STREAM },
    [E.version]: { N: String(batch.position) },
    [E.lastVersion]: { N: String(batch.lastPosition) },
    [F.commits]: { S: encodeCommits(batch.commits) },
    [F.checkpoint]: { S: JSON.stringify(batch.checkpoint) },
    [F.writtenAt]: { N: String(batch.writtenAt) },
  };
  if (batch.writer !== undefined) item[F.writer] = { S: batch.writer };
  return item;
}

export function decodeBatch(item: Item): IndexBatch {
  const position = Number(item[E.version]!.N);
  const stored = JSON.parse(item[F.commits]!.S!) as StoredCommit[];
  const commits = stored.map(([streamId, version, commitEnd, slices]): IndexedCommit => (slices === undefined ? { streamId, version, commitEnd } : { streamId, version, commitEnd, slices }));
  return {
    position,
    lastPosition: Number(item[E.lastVersion]!.N),
    commits,
    checkpoint: JSON.parse(item[F.checkpoint]!.S!) as IndexerCheckpoint,
    writtenAt: Number(item[F.writtenAt]!.N),
    writer: item[F.writer]?.S,
  };
}

export function encodeMeta(meta: FeedIndexMeta): Item {
  return {
    [E.streamId]: { S: FEED_INDEX_STREAM },
    [E.version]: { N: String(FEED_INDEX_META_VERSION) },
    [F.indexId]: { S: meta.indexId },
    [F.format]: { N: String(meta.format) },
    [F.writtenAt]: { N: String(meta.createdAt) },
  };
}

export function decodeMeta(item: Item): FeedIndexMeta {
  return { indexId: item[F.indexId]!.S!, format: Number(item[F.format]!.N), createdAt: Number(item[F.writtenAt]!.N) };
}
