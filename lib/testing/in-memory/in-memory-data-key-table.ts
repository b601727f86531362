import type { DataKeyRecord } from '../../personal-data/interfaces/data-key-record.interface.js';
import type { DataKeyStorage } from '../../personal-data/interfaces/data-key-storage.interface.js';

/**
 * The personal-data keys table in memory: one item per subject, a wrapped data key or a forgotten
 * marker, with the DynamoDB table's semantics (a key is created only for a subject without an item;
 * forgetting leaves a marker, even for a subject that never had a key). `InMemoryEventStore` builds
 * one with its `personalData` option (`store.personalDataKeys`): a test can look at the items, or
 * {@link delete} one to see what a lost key does.
 */
export class InMemoryDataKeyTable implements DataKeyStorage {
  private readonly items = new Map<string, DataKeyRecord>();

  /** @param tableName the name reports and errors give (the `keysTable` option). */
  constructor(readonly tableName: string) {}

  async get(subjectId: string): Promise<DataKeyRecord | undefined> {
    return this.items.get(subjectId);
  }

  async getMany(subjectIds: readonly string[]): Promise<Map<string, DataKeyRecord>> {
    const found = new Map<string, DataKeyRecord>();
    for (const subjectId of subjectIds) {
      const record = this.items.get(subjectId);
      if (record !== undefined) found.set(subjectId, record);
    }
    return found;
  }

  async create(subjectId: string, wrapped: Buffer, wrappedBy: string, createdAt: number): Promise<boolean> {
    if (this.items.has(subjectId)) return false;
    // A copy: the caller's buffer is not the stored item.
    this.items.set(subjectId, { state: 'active', subjectId, wrapped: Buffer.from(wrapped), wrappedBy, createdAt });
    return true;
  }

  async forget(subjectId: string, forgottenAt: number): Promise<DataKeyRecord | undefined> {
    const replaced = this.items.get(subjectId);
    this.items.set(subjectId, { state: 'forgotten', subjectId, forgottenAt });
    return replaced;
  }

  /** The subject's item as stored (a wrapped key, or a forgotten marker), or undefined. */
  itemOf(subjectId: string): DataKeyRecord | undefined {
    return this.items.get(subjectId);
  }

  /**
   * Deletes the subject's item as a hand-made delete or a restore without it would: unlike
   * `forgetSubject`, this is a lost key, and reading the subject's sealed fields then throws
   * `PersonalDataKeyMissingError`. Returns whether there was one.
   */
  delete(subjectId: string): boolean {
    return this.items.delete(subjectId);
  }
}
