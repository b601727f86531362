import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describeValue } from '../errors/describe-value.js';
import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { PreparedAppend } from '../event-store/prepared-append.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import type { ErasureReport } from '../lifecycle/interfaces/erasure-report.interface.js';
import type { EventTypeRegistry, EventRegistration } from '../serialization/event-type-registry.js';
import { DataKeyStore } from './data-key-store.js';
import { DataKeyTable } from './data-key-table.js';
import type { KeyWrapping } from './interfaces/key-wrapping.interface.js';
import { KmsKeyWrapping } from './kms-key-wrapping.js';
import { LocalKeyWrapping } from './local-key-wrapping.js';
import { PersonalDataDeclarations, declarationOfClass } from './personal-data-declarations.js';
import { PersonalDataSealer, MAX_SUBJECT_ID_BYTES } from './personal-data-sealer.js';
import type { ResolvedPersonalDataOptions } from './resolve-personal-data-options.js';
import { attachOpening, sealedFieldsIn } from './sealed-fields.js';
import { SEALED_VALUE_PREFIX } from './sealed-value.js';
import { SnapshotSealer } from './snapshot-sealer.js';

/** The erasure report's notes for a forgotten subject: what the erasure does not reach. */
const FORGET_NOTES = [
  'The events themselves stay, with their types, non-personal fields and metadata; their personal fields sealed with this key now read as "[redacted]" in reads, aggregate loads, the feed and projections rebuilt from now on, in every process at its next read.',
  'Snapshots sealed under this subject (aggregates registered with snapshots.subject) can no longer be opened: those aggregates load from their events. Snapshots of aggregates registered without snapshots.subject are stored in clear: personal data their state copied from events stays readable there and is restored by load(). Delete them (the aggregate is then rebuilt from its redacted events), or register those aggregates with snapshots.subject.',
  'Read models, caches, logs and messages that copied the plaintext earlier are not reached: erase the subject there too (a projection can handle it on its own request, or be rebuilt).',
  'Backups, point-in-time recovery and exports of the keys table made before this erasure still hold the data key: restoring one brings the data back. Keep their retention short, or exclude the keys table.',
];

/**
 * Crypto-shredding for one app: seals the personal fields of appended events, fetches the keys a
 * page of read items needs, and forgets subjects. Built by the module from its `personalData`
 * option ({@link PersonalDataService.create}); the event store, the readers and the aggregate
 * repositories reach it through the runtime.
 */
export class PersonalDataService {
  private readonly sealer: PersonalDataSealer;
  /** The registry of the app the service is linked to (see linkPersonalData): which stored types declare which fields. */
  private registry?: EventTypeRegistry;
  /** The events table of that app, named in erasure reports. */
  private eventsTable?: string;
  /** Seals and opens the whole snapshot state of aggregates registered with a subject. */
  readonly snapshots: SnapshotSealer;

  constructor(
    private readonly store: DataKeyStore,
    private readonly wrapping: KeyWrapping,
    private readonly declarations: PersonalDataDeclarations,
  ) {
    this.sealer = new PersonalDataSealer(declarations, store);
    this.snapshots = new SnapshotSealer(store);
  }

  /**
   * Builds the service from resolved options; loads `@aws-sdk/client-kms` only with KMS wrapping.
   * @throws InvalidModuleOptionsError when a listed event class has personal fields but no subject,
   *   or KMS wrapping is configured without `@aws-sdk/client-kms` installed.
   */
  static async create(options: ResolvedPersonalDataOptions, client: DynamoDBClient, retry: Required<RetryOptions>, events: readonly EventRegistration[] = []): Promise<PersonalDataService> {
    for (const registration of events) {
      const type = typeof registration === 'function' ? registration : (registration as { type?: unknown })?.type;
      if (typeof type === 'function') declarationOfClass(type, type.name); // fails at start-up rather than at the first append
    }
    const { wrapping } = options;
    let keyWrapping: KeyWrapping;
    if ('localKey' in wrapping) {
      keyWrapping = new LocalKeyWrapping(wrapping.localKey);
    } else {
      try {
        keyWrapping = await KmsKeyWrapping.create(wrapping.kmsKeyId, wrapping.kmsClient);
      } catch (error) {
        throw new InvalidModuleOptionsError('personalData.wrapping.kmsKeyId', `needs the package @aws-sdk/client-kms (npm install @aws-sdk/client-kms): ${(error as Error).message}`);
      }
    }
    const store = new DataKeyStore(new DataKeyTable(client, options.keysTable, retry), keyWrapping);
    return new PersonalDataService(store, keyWrapping, new PersonalDataDeclarations(options.types));
  }

  /** The keys table's full name. */
  get keysTable(): string {
    return this.store.table.tableName;
  }

  /** Seals the personal fields of a prepared append, in place (see {@link PersonalDataSealer.seal}). */
  seal(prepared: PreparedAppend, registry: EventTypeRegistry): Promise<void> {
    return this.sealer.seal(prepared, registry);
  }

  /** Makes `registry` the one whose event types say where the personal fields are, in `eventsTable` (done by linkPersonalData). */
  useApp(registry: EventTypeRegistry, eventsTable: string): void {
    this.registry = registry;
    this.eventsTable = eventsTable;
  }

  /**
   * Finds the sealed values at the declared personal fields of these items' events, fetches their
   * subjects' keys with one strongly consistent BatchGetItem (per 100 subjects), and attaches both
   * to the items for their decoding. Items without anything shaped like a sealed value cost a text
   * search and nothing else; look-alikes outside declared fields cost a parse, never a key lookup.
   * Returns the items.
   */
  async prefetch<T extends { readonly events: string }>(items: T[]): Promise<T[]> {
    const subjects = new Set<string>();
    const found: Array<[T, ReturnType<typeof sealedFieldsIn>]> = [];
    for (const item of items) {
      if (!item.events.includes(SEALED_VALUE_PREFIX)) continue;
      // Attached even when empty: the decoding then knows this app read the item (and opens nothing in it).
      found.push([item, sealedFieldsIn(item.events, (type) => this.declaredPathsOf(type), subjects)]);
    }
    if (found.length === 0) return items;
    const ring = await this.store.ring([...subjects]);
    for (const [item, fields] of found) attachOpening(item, { ring, fields });
    return items;
  }

  /** The personal fields a stored type name declares, as the sealer sealed them (undefined: none, or an unknown type). */
  private declaredPathsOf(storedType: string): readonly string[] | undefined {
    try {
      const registered = this.registry?.find(storedType);
      return registered === undefined ? undefined : this.declarations.of(registered)?.fields;
    } catch {
      return undefined; // personal fields without a subject, or a name conflict: nothing of it was ever sealed; decoding reports the conflict
    }
  }

  /**
   * Forgets a data subject: its data key is replaced in the keys table by a forgotten marker
   * without key material, and dropped from this process's cache. Other processes learn it at their
   * next read (every page reads the keys table). Idempotent.
   * @throws InvalidArgumentError (INVALID_SUBJECT_ID) for a subject id that is not a non-empty string; nothing is written.
   */
  async forgetSubject(subjectId: string): Promise<ErasureReport> {
    assertSubjectId(subjectId);
    const requestedAt = new Date().toISOString();
    const replaced = await this.store.forget(subjectId);
    const at = new Date().toISOString();
    const detail =
      replaced?.state === 'active'
        ? `wrapped by ${replaced.wrappedBy}, made ${new Date(replaced.createdAt).toISOString()}`
        : replaced?.state === 'forgotten'
          ? 'the subject was forgotten already'
          : 'the subject had no data key (no personal data of it was stored); appends of its personal data are refused from now on';
    return {
      operation: 'subject.forget',
      requestedAt,
      completedAt: at,
      subject: subjectId,
      actions: [
        { what: 'data-key-deleted', where: this.keysTable, count: replaced?.state === 'active' ? 1 : 0, at, detail },
        {
          what: 'fields-unreadable',
          where: this.eventsTable ?? 'events table',
          count: 0,
          at,
          detail:
            'every personal field of an event sealed with the key now reads as "[redacted]" (in reads, the feed and aggregate loads), and the snapshots sealed under this subject ' +
            '(aggregates with snapshots.subject) no longer open; not counted: nothing was scanned. Snapshots of aggregates without snapshots.subject are not reached (see notes).',
        },
      ],
      notes: FORGET_NOTES,
    };
  }

  /** Releases the KMS client the service created, and the keys it holds. */
  close(): void {
    this.store.clear();
    this.wrapping.close?.();
  }
}

/** @throws InvalidArgumentError (INVALID_SUBJECT_ID) unless a non-empty string of at most 1 KB. */
export function assertSubjectId(subjectId: unknown): asserts subjectId is string {
  if (typeof subjectId !== 'string' || subjectId.trim().length === 0 || Buffer.byteLength(subjectId, 'utf8') > MAX_SUBJECT_ID_BYTES) {
    throw new InvalidArgumentError(
      EventStoreErrorCode.INVALID_SUBJECT_ID,
      `A subject id is a non-empty string of at most ${MAX_SUBJECT_ID_BYTES} bytes; got ${describeValue(subjectId)}. Nothing was written.`,
    );
  }
}
