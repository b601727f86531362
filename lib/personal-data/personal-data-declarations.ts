import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { RegisteredEventType } from '../serialization/registered-event-type.js';
import { declaredFieldsOf } from './declared-fields.js';
import type { PersonalDataTypeOptions } from './interfaces/personal-data-options.interface.js';

/** Where one event type's personal data is, checked: what sealing needs. */
export interface EventPersonalData {
  /** The subject id of an event, from its stored data (checked by the caller). */
  readonly subjectOf: (data: Record<string, unknown>) => unknown;
  /** How the subject is found, for error messages: `field "customerId"`. */
  readonly subjectSource: string;
  /** Dot paths of the personal fields in the stored data. */
  readonly fields: readonly string[];
}

/**
 * The personal data of each event type: the module's `personalData.types` entry for its stored
 * name, else its class's `@PersonalData`/`@DataSubject` fields. Worked out once per type.
 */
export class PersonalDataDeclarations {
  private readonly known = new Map<RegisteredEventType, EventPersonalData | null>();

  constructor(private readonly types: ReadonlyMap<string, PersonalDataTypeOptions> = new Map()) {}

  /**
   * The type's personal data, or undefined when it has none.
   * @throws InvalidModuleOptionsError naming the class when it has personal fields but no subject.
   */
  of(registered: RegisteredEventType): EventPersonalData | undefined {
    let found = this.known.get(registered);
    if (found === undefined) {
      found = this.declare(registered) ?? null;
      this.known.set(registered, found);
    }
    return found ?? undefined;
  }

  private declare(registered: RegisteredEventType): EventPersonalData | undefined {
    const configured = this.types.get(registered.name);
    if (configured !== undefined) {
      const { subject, fields } = configured;
      return typeof subject === 'function'
        ? { subjectOf: subject, subjectSource: 'personalData.types subject function', fields }
        : { subjectOf: (data) => valueAt(data, subject), subjectSource: `field "${subject}"`, fields };
    }
    return declarationOfClass(registered.type, registered.name);
  }
}

/**
 * A class's decorated personal data, or undefined when it declares none.
 * @throws InvalidModuleOptionsError when it has `@PersonalData` fields but no `@DataSubject`, or marks the subject personal.
 */
export function declarationOfClass(type: Function, typeName: string): EventPersonalData | undefined {
  const declared = declaredFieldsOf(type);
  if (declared === undefined || declared.personal.length === 0) return undefined;
  const className = type.name || '(anonymous class)';
  const { subject } = declared;
  if (subject === undefined) {
    throw new InvalidModuleOptionsError(
      'events',
      `class ${className} ("${typeName}") has personal data (${declared.personal.join(', ')}) but no data subject: mark the field holding the ` +
        `subject's id with @DataSubject(), or give personalData.types["${typeName}"] = { subject, fields }. Nothing was written.`,
    );
  }
  if (declared.personal.includes(subject)) {
    throw new InvalidModuleOptionsError('events', `class ${className} marks its @DataSubject() field "${subject}" as @PersonalData(): the subject id is stored in clear, it names the key.`);
  }
  return { subjectOf: (data) => data[subject], subjectSource: `field "${subject}"`, fields: [...declared.personal] };
}

/** The value at a dot path of parsed JSON data (own properties only), or undefined. */
export function valueAt(data: unknown, path: string): unknown {
  let value: unknown = data;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Replaces the value at a dot path of parsed JSON data that holds one (checked by the caller with {@link valueAt}). */
export function setValueAt(data: unknown, path: string, value: unknown): void {
  const parts = path.split('.');
  let container = data as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) container = container[part] as Record<string, unknown>;
  // An own data property of freshly parsed JSON: assigning it reaches no setter.
  container[parts.at(-1)!] = value;
}
