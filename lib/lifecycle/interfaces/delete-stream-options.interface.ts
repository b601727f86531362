import type { ANY, STREAM_EXISTS } from '../../event-store/expected-version.js';
import type { StreamDeletionMode } from './stream-metadata.interface.js';

/** Options of {@link EventStore.deleteStream}. */
export interface DeleteStreamOptions {
  /**
   * The version the stream must be at (its last event's), or `ANY` / `STREAM_EXISTS` to delete
   * whatever it holds. A stream at another version is not deleted: `ConcurrencyError`.
   */
  readonly expectedVersion: number | typeof ANY | typeof STREAM_EXISTS;
  /** `soft` (the default) or `hard`; see {@link StreamDeletionMode}. */
  readonly mode?: StreamDeletionMode;
}
