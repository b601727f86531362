import { randomBytes } from 'node:crypto';
import { DataKeyStore } from '../../personal-data/data-key-store.js';
import { LocalKeyWrapping } from '../../personal-data/local-key-wrapping.js';
import type { PersonalDataOptions } from '../../personal-data/interfaces/personal-data-options.interface.js';
import { PersonalDataDeclarations, declarationOfClass } from '../../personal-data/personal-data-declarations.js';
import { PersonalDataService } from '../../personal-data/personal-data-service.js';
import type { ResolvedPersonalDataOptions } from '../../personal-data/resolve-personal-data-options.js';
import { DATA_KEY_BYTES } from '../../personal-data/subject-key.js';
import type { EventRegistration } from '../../serialization/event-type-registry.js';
import { InMemoryDataKeyTable } from './in-memory-data-key-table.js';
import type { InMemoryPersonalDataOptions } from './interfaces/in-memory-personal-data-options.interface.js';

/** The keys table's name in memory when the option gives none. */
const DEFAULT_KEYS_TABLE = 'personal-data-keys';

/**
 * Options with an in-memory `personalData` completed into the DynamoDB module's (a keys table name,
 * a random local key), so that they are checked by the same code; anything but an object is left
 * for that check to refuse.
 */
export function withInMemoryPersonalData<T extends { personalData?: InMemoryPersonalDataOptions }>(options: T): Omit<T, 'personalData'> & { personalData?: PersonalDataOptions } {
  const given: unknown = options?.personalData;
  if (given === null || typeof given !== 'object' || Array.isArray(given)) return options as never;
  const { keysTable, wrapping } = given as InMemoryPersonalDataOptions;
  const completed = {
    ...given,
    keysTable: keysTable ?? DEFAULT_KEYS_TABLE,
    wrapping: wrapping ?? { localKey: randomBytes(DATA_KEY_BYTES).toString('base64') },
  };
  return { ...options, personalData: completed as PersonalDataOptions };
}

/** Crypto-shredding of an in-memory store: the DynamoDB store's sealing and opening, over a keys table in memory. */
export interface InMemoryPersonalData {
  readonly service: PersonalDataService;
  readonly keys: InMemoryDataKeyTable;
}

/**
 * Builds it from the checked option, as `PersonalDataService.create` does for DynamoDB: a listed
 * event class with personal fields and no subject fails here, at start-up.
 * @throws InvalidModuleOptionsError
 */
export function createInMemoryPersonalData(options: ResolvedPersonalDataOptions, events: readonly EventRegistration[], clock: () => number): InMemoryPersonalData {
  for (const registration of events) {
    const type = typeof registration === 'function' ? registration : (registration as { type?: unknown })?.type;
    if (typeof type === 'function') declarationOfClass(type, type.name);
  }
  // KMS wrapping is checked, then stood in for by a random local key: a unit test never calls AWS.
  const wrapping = new LocalKeyWrapping('localKey' in options.wrapping ? options.wrapping.localKey : randomBytes(DATA_KEY_BYTES));
  const keys = new InMemoryDataKeyTable(options.keysTable);
  const service = new PersonalDataService(new DataKeyStore(keys, wrapping, clock), wrapping, new PersonalDataDeclarations(options.types));
  return { service, keys };
}
