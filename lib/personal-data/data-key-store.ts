import { SubjectForgottenError } from '../errors/subject-forgotten.error.js';
import type { DataKeyStorage } from './interfaces/data-key-storage.interface.js';
import type { DataKeyRecord } from './interfaces/data-key-record.interface.js';
import type { KeyWrapping } from './interfaces/key-wrapping.interface.js';
import { KeyRing, type SubjectKeyState } from './key-ring.js';
import { SubjectKey } from './subject-key.js';

/** Unwrapped keys kept per process: enough for the subjects of a busy service, bounded in memory (about 100 bytes each). */
const MAX_CACHED_KEYS = 10_000;
/** Creating a key can lose a race more than once only if the subject is forgotten meanwhile; bounded all the same. */
const MAX_CREATE_ATTEMPTS = 3;

/**
 * The subjects' data keys: made on first need (race-safe), read from the keys table whenever they
 * are used (so that a forgotten subject is known at once in every process), and unwrapped once per
 * process (KMS Decrypt is the slow, billed step), cached by the wrapped key's bytes.
 */
export class DataKeyStore {
  /** By wrapping and wrapped bytes: an unwrapped key is only ever found by the item that holds it. */
  private readonly unwrapped = new Map<string, Promise<SubjectKey>>();

  constructor(
    readonly table: DataKeyStorage,
    private readonly wrapping: KeyWrapping,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The keys to seal these subjects' data with, making those that do not exist yet.
   * @throws SubjectForgottenError when one of them was forgotten (nothing is written).
   */
  async keysForSealing(subjectIds: readonly string[]): Promise<Map<string, SubjectKey>> {
    const records = await this.table.getMany(subjectIds);
    const keys = new Map<string, SubjectKey>();
    await Promise.all(
      subjectIds.map(async (subjectId) => {
        keys.set(subjectId, await this.keyFor(subjectId, records.get(subjectId)));
      }),
    );
    return keys;
  }

  /** The keys table's word on these subjects, now, with their keys unwrapped: one BatchGetItem per 100 subjects. */
  async ring(subjectIds: readonly string[]): Promise<KeyRing> {
    const records = await this.table.getMany(subjectIds);
    const states = new Map<string, SubjectKeyState>();
    await Promise.all(
      [...records.values()].map(async (record) => {
        states.set(record.subjectId, record.state === 'forgotten' ? 'forgotten' : await this.unwrap(record));
      }),
    );
    return new KeyRing(this.table.tableName, states);
  }

  /** Deletes the subject's key material (a forgotten marker in its place) and this process's copy of it. Returns the item replaced. */
  async forget(subjectId: string): Promise<DataKeyRecord | undefined> {
    const replaced = await this.table.forget(subjectId, this.now());
    for (const cacheKey of [...this.unwrapped.keys()]) if (cacheKey.startsWith(`${subjectId}\0`)) this.unwrapped.delete(cacheKey);
    return replaced;
  }

  /** Forgets every unwrapped key of this process. */
  clear(): void {
    this.unwrapped.clear();
  }

  private async keyFor(subjectId: string, record: DataKeyRecord | undefined): Promise<SubjectKey> {
    for (let attempt = 1; ; attempt++) {
      if (record?.state === 'forgotten') throw new SubjectForgottenError(subjectId, record.forgottenAt > 0 ? new Date(record.forgottenAt) : undefined);
      if (record !== undefined) return this.unwrap(record);
      const generated = await this.wrapping.generate(subjectId);
      if (await this.table.create(subjectId, generated.wrapped, generated.wrappedBy, this.now())) {
        const key = new SubjectKey(subjectId, generated.dataKey);
        this.remember(cacheKeyOf(subjectId, generated.wrappedBy, generated.wrapped), Promise.resolve(key));
        return key;
      }
      // Another process made the subject's key first (or forgot the subject): use what the table holds.
      record = await this.table.get(subjectId);
      if (record === undefined && attempt >= MAX_CREATE_ATTEMPTS) throw new Error(`The data key of subject "${subjectId}" could not be stored nor read back.`);
    }
  }

  private unwrap(record: Extract<DataKeyRecord, { state: 'active' }>): Promise<SubjectKey> {
    const cacheKey = cacheKeyOf(record.subjectId, record.wrappedBy, record.wrapped);
    const cached = this.unwrapped.get(cacheKey);
    if (cached !== undefined) {
      // Least recently used goes first: a hit moves to the end.
      this.unwrapped.delete(cacheKey);
      this.unwrapped.set(cacheKey, cached);
      return cached;
    }
    const key = this.wrapping.unwrap(record.subjectId, record.wrapped, record.wrappedBy).then((dataKey) => new SubjectKey(record.subjectId, dataKey));
    this.remember(cacheKey, key);
    key.catch(() => this.unwrapped.delete(cacheKey)); // a failed unwrap (KMS down) is tried again next time
    return key;
  }

  private remember(cacheKey: string, key: Promise<SubjectKey>): void {
    this.unwrapped.set(cacheKey, key);
    if (this.unwrapped.size > MAX_CACHED_KEYS) this.unwrapped.delete(this.unwrapped.keys().next().value!);
  }
}

const cacheKeyOf = (subjectId: string, wrappedBy: string, wrapped: Buffer): string => `${subjectId}\0${wrappedBy}\0${wrapped.toString('base64')}`;
