import type { SnapshotEncoding } from '../snapshot-codec.js';

/** What is known of a stored snapshot without its state; `save()` resolves to it. */
export interface SnapshotInfo {
  readonly streamId: string;
  /** The stream version the state was built from (the version of the last event applied). */
  readonly version: number;
  /** The schema revision of the state, as given to `save()`. */
  readonly revision: number;
  /** When the snapshot was saved. */
  readonly takenAt: Date;
  /** Bytes of the state's JSON (UTF-8). */
  readonly sizeBytes: number;
  /** Bytes of the state as stored: the JSON, or its Brotli compression when that is smaller. */
  readonly storedBytes: number;
  readonly encoding: SnapshotEncoding;
  /** DynamoDB items the snapshot takes: 1, or its parts plus the snapshot item listing them. */
  readonly items: number;
}

/** A snapshot with its state, rebuilt from JSON (plain objects; Dates come back as ISO strings). */
export interface Snapshot<TState = unknown> extends SnapshotInfo {
  readonly state: TState;
}
