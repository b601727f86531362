import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { describeArgument } from '../event-store/argument-shape.js';
import type { KmsClientLike } from './interfaces/kms-client-like.interface.js';
import type { PersonalDataOptions, PersonalDataTypeOptions } from './interfaces/personal-data-options.interface.js';
import { DATA_KEY_BYTES } from './subject-key.js';

/** The `personalData` option, checked. */
export interface ResolvedPersonalDataOptions {
  /** The keys table's full name (prefix included). */
  readonly keysTable: string;
  readonly wrapping: { readonly kmsKeyId: string; readonly kmsClient?: KmsClientLike } | { readonly localKey: Buffer };
  readonly types: ReadonlyMap<string, PersonalDataTypeOptions>;
}

const OPTION_KEYS = ['keysTable', 'wrapping', 'types'];
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Checks the `personalData` option; the keys table must be a table of its own. @throws InvalidModuleOptionsError */
export function resolvePersonalDataOptions(options: PersonalDataOptions, tablePrefix: string, otherTables: readonly string[]): ResolvedPersonalDataOptions {
  const fail = (option: string, problem: string) => new InvalidModuleOptionsError(`personalData${option}`, problem);
  if (!isObject(options)) {
    throw fail('', `must be an object such as { keysTable: 'personal-data-keys', wrapping: { kmsKeyId: 'alias/pii' } }; got ${describeArgument(options)}.`);
  }
  for (const key of Object.keys(options)) if (!OPTION_KEYS.includes(key)) throw fail(`.${key}`, `is not a personalData option. Known: ${OPTION_KEYS.join(', ')}.`);
  const { keysTable, wrapping, types = {} } = options;
  if (typeof keysTable !== 'string') throw fail('.keysTable', `must be a table name (a string); got ${describeArgument(keysTable)}.`);
  const fullName = tablePrefix + keysTable;
  if (!TABLE_NAME.test(fullName)) throw fail('.keysTable', `gives the table name "${fullName}", which DynamoDB does not allow (3 to 255 of a-z, A-Z, 0-9, _ . -).`);
  if (otherTables.includes(fullName)) throw fail('.keysTable', `names a table the module uses already ("${fullName}"); data keys need a table of their own.`);
  return { keysTable: fullName, wrapping: resolveWrapping(wrapping, fail), types: resolveTypes(types, fail) };
}

function resolveWrapping(wrapping: unknown, fail: (option: string, problem: string) => InvalidModuleOptionsError): ResolvedPersonalDataOptions['wrapping'] {
  if (!isObject(wrapping)) throw fail('.wrapping', `must be { kmsKeyId } (AWS KMS) or { localKey } (a base64 32-byte key, development only); got ${describeArgument(wrapping)}.`);
  const keys = Object.keys(wrapping);
  if ('kmsKeyId' in wrapping && !('localKey' in wrapping)) {
    for (const key of keys) if (key !== 'kmsKeyId' && key !== 'kmsClient') throw fail(`.wrapping.${key}`, 'is not a KMS wrapping option. Known: kmsKeyId, kmsClient.');
    const { kmsKeyId, kmsClient } = wrapping;
    if (typeof kmsKeyId !== 'string' || kmsKeyId.trim().length === 0) throw fail('.wrapping.kmsKeyId', `must name a KMS key (id, ARN or alias); got ${describeArgument(kmsKeyId)}.`);
    if (kmsClient !== undefined && (!isObject(kmsClient) || typeof (kmsClient as { send?: unknown }).send !== 'function')) {
      throw fail('.wrapping.kmsClient', `must be a KMSClient from @aws-sdk/client-kms; got ${describeArgument(kmsClient)}.`);
    }
    return { kmsKeyId, kmsClient: kmsClient as KmsClientLike | undefined };
  }
  if ('localKey' in wrapping && !('kmsKeyId' in wrapping)) {
    for (const key of keys) if (key !== 'localKey') throw fail(`.wrapping.${key}`, 'is not a local wrapping option. Known: localKey.');
    const { localKey } = wrapping;
    const bytes = typeof localKey === 'string' && /^[A-Za-z0-9+/]+={0,2}$/.test(localKey) ? Buffer.from(localKey, 'base64') : undefined;
    if (bytes === undefined || bytes.length !== DATA_KEY_BYTES) {
      throw fail('.wrapping.localKey', `must be ${DATA_KEY_BYTES} bytes in base64 (openssl rand -base64 32); got ${typeof localKey === 'string' ? `${bytes?.length ?? 'no'} valid bytes` : describeArgument(localKey)}.`);
    }
    return { localKey: bytes };
  }
  throw fail('.wrapping', 'must hold either kmsKeyId (AWS KMS) or localKey (development), not both or neither.');
}

function resolveTypes(types: unknown, fail: (option: string, problem: string) => InvalidModuleOptionsError): Map<string, PersonalDataTypeOptions> {
  if (!isObject(types)) throw fail('.types', `must be an object of { subject, fields } by event type name; got ${describeArgument(types)}.`);
  const resolved = new Map<string, PersonalDataTypeOptions>();
  for (const [name, entry] of Object.entries(types)) {
    const at = `.types["${name}"]`;
    if (!isObject(entry)) throw fail(at, `must be { subject, fields }; got ${describeArgument(entry)}.`);
    for (const key of Object.keys(entry)) if (key !== 'subject' && key !== 'fields') throw fail(`${at}.${key}`, 'is not a type option. Known: subject, fields.');
    const { subject, fields } = entry;
    if (!(typeof subject === 'function' || (typeof subject === 'string' && isPath(subject)))) {
      throw fail(`${at}.subject`, `must be the path of the field holding the subject id ('customerId') or a function of the data; got ${describeArgument(subject)}.`);
    }
    if (!Array.isArray(fields) || fields.length === 0 || !fields.every((field) => typeof field === 'string' && isPath(field))) {
      throw fail(`${at}.fields`, `must be a non-empty array of field paths ('email', 'address.street'); got ${describeArgument(fields)}.`);
    }
    if (typeof subject === 'string' && fields.includes(subject)) throw fail(`${at}.fields`, `lists the subject field "${subject}", which is stored in clear: it names the key.`);
    resolved.set(name, { subject: subject as PersonalDataTypeOptions['subject'], fields: [...(fields as string[])] });
  }
  return resolved;
}

/** A dot path of non-empty field names, none reserved. */
const isPath = (path: string): boolean => path.length > 0 && path.split('.').every((part) => part.length > 0 && part !== '__proto__' && part !== '$pd');
