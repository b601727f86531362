import type { DataKeyRecord } from './data-key-record.interface.js';

/**
 * Where the subjects' key items are kept: the DynamoDB keys table ({@link DataKeyTable}), or a map
 * in memory (`InMemoryDataKeyTable`, for unit tests). {@link DataKeyStore} caches, unwraps and
 * refuses forgotten subjects on top of it, the same way for both.
 */
export interface DataKeyStorage {
  /** The table's name, for erasure reports and errors. */
  readonly tableName: string;
  /** The subject's item, or undefined when it has none. */
  get(subjectId: string): Promise<DataKeyRecord | undefined>;
  /** The items of these subjects (a subject without one is absent from the map), as they are now. */
  getMany(subjectIds: readonly string[]): Promise<Map<string, DataKeyRecord>>;
  /** Stores a new subject's wrapped key unless the subject has an item already (then false: the caller reads that one). */
  create(subjectId: string, wrapped: Buffer, wrappedBy: string, createdAt: number): Promise<boolean>;
  /** Replaces the subject's item by a forgotten marker without key material; returns the item replaced, if any. */
  forget(subjectId: string, forgottenAt: number): Promise<DataKeyRecord | undefined>;
}
