import type { IndexerCheckpoint } from '../index/indexer-checkpoint.js';

/** Records live 24 hours in a DynamoDB Stream: after that, none of a filled commit can still arrive. */
const KEEP_MS = 24 * 60 * 60 * 1000 + 60 * 60 * 1000;
const MAX_FILLED = 10_000;

/**
 * Streams whose commits were read from the table ahead of their records, with the stream's indexed
 * version as of the last batch that touched it: kept in every batch's checkpoint, so that their
 * records, when they come (even after a restart), are dropped as duplicates.
 */
export class FilledStreams {
  private constructor(private readonly entries: Map<string, { version: number; at: number }>) {}

  static from(stored: IndexerCheckpoint['filled']): FilledStreams {
    return new FilledStreams(new Map(Object.entries(stored ?? {}).map(([streamId, entry]) => [streamId, { ...entry }])));
  }

  version(streamId: string): number | undefined {
    return this.entries.get(streamId)?.version;
  }

  fill(streamId: string, version: number, at: number): void {
    this.entries.set(streamId, { version, at });
  }

  /** A stream being indexed further keeps its entry up to date (its late records must compare with the newest version). */
  touch(streamId: string, version: number): void {
    const entry = this.entries.get(streamId);
    if (entry !== undefined && entry.version < version) entry.version = version;
  }

  toCheckpoint(now: number): Pick<IndexerCheckpoint, 'filled'> {
    const kept = [...this.entries].filter(([, entry]) => now - entry.at < KEEP_MS).slice(-MAX_FILLED);
    return kept.length === 0 ? {} : { filled: Object.fromEntries(kept) };
  }
}
