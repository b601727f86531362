import type { ExpectedVersion } from '../expected-version.js';

export interface AppendOptions {
  /**
   * The version the caller believes the stream is at: a number (0 for a new stream),
   * `'no-stream'`, `'stream-exists'` or `'any'`. See {@link ExpectedVersion}.
   */
  expectedVersion: ExpectedVersion;
  /**
   * Identifies the commit so that retrying it is safe: an append whose commit id is already stored
   * at that position returns the stored result and writes nothing. Generated (UUIDv7) when omitted.
   */
  commitId?: string;
  /**
   * JSON metadata stored once with the commit and handed out with each of its events, over the
   * free map of the current {@link EventMetadataContext} (this one wins per key).
   */
  metadata?: Record<string, unknown>;
  /** Correlation id of the commit's events. Default: the current {@link EventMetadataContext}'s. */
  correlationId?: string;
  /** Causation id of the commit's events (the command or event that caused them). Default: the current {@link EventMetadataContext}'s. */
  causationId?: string;
  /** Publish the events on the @nestjs/cqrs EventBus after the commit. Defaults to the module's `publishEvents`. */
  publish?: boolean;
}
