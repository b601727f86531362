import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';

/** What `@PersonalData()` and `@DataSubject()` recorded on a class (or its metadata object). */
export interface DeclaredFields {
  readonly personal: string[];
  subject?: string;
}

// A registry-wide symbol: a class decorated by one copy of this package is still read by another.
const DECLARED = Symbol.for('nestjs-dynamo-es:personal-data');

/**
 * Records a decorated field: on the class's prototype with legacy (`experimentalDecorators`)
 * decorators, in the class's decorator metadata with standard ones.
 */
export function declareField(target: object | undefined, context: string | symbol | ClassFieldDecoratorContext, role: 'personal' | 'subject', decorator: string): void {
  let holder: object;
  let name: string | symbol;
  if (typeof context === 'string' || typeof context === 'symbol') {
    holder = target!; // the prototype
    name = context;
  } else if (context?.kind === 'field' && context.metadata !== undefined) {
    holder = context.metadata;
    name = context.name;
  } else {
    throw new TypeError(`${decorator} decorates a class field (with decorator metadata, TypeScript 5.2+, when not using experimentalDecorators).`);
  }
  if (typeof name !== 'string' || (context as { static?: boolean }).static === true) throw new TypeError(`${decorator} decorates an instance field with a string name.`);
  const own: DeclaredFields = Object.hasOwn(holder, DECLARED)
    ? (holder as Record<symbol, DeclaredFields>)[DECLARED]!
    : { personal: [...(inherited(holder)?.personal ?? [])], subject: inherited(holder)?.subject };
  Object.defineProperty(holder, DECLARED, { value: own, enumerable: false, configurable: true });
  if (role === 'personal') {
    if (!own.personal.includes(name)) own.personal.push(name);
  } else {
    const className = (holder as { constructor?: { name?: string } }).constructor?.name ?? '(class)';
    if (own.subject !== undefined && own.subject !== name) {
      throw new InvalidModuleOptionsError('events', `class ${className} has two @DataSubject() fields (${own.subject} and ${name}); an event has one data subject.`);
    }
    own.subject = name;
  }
}

/** The fields a class declares (its own and its parents'), or undefined when it declares none. */
export function declaredFieldsOf(type: Function): DeclaredFields | undefined {
  const prototype = type.prototype as object | undefined;
  const fromPrototype = prototype === undefined ? undefined : (prototype as Record<symbol, DeclaredFields | undefined>)[DECLARED];
  if (fromPrototype !== undefined) return fromPrototype;
  const metadataKey: symbol | undefined = (Symbol as { metadata?: symbol }).metadata;
  const metadata = metadataKey === undefined ? undefined : (type as unknown as Record<symbol, Record<symbol, DeclaredFields> | undefined>)[metadataKey];
  return metadata?.[DECLARED];
}

function inherited(holder: object): DeclaredFields | undefined {
  const parent = Object.getPrototypeOf(holder) as Record<symbol, DeclaredFields | undefined> | null;
  return parent === null ? undefined : parent[DECLARED];
}
