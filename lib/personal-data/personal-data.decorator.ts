import { declareField } from './declared-fields.js';

/**
 * Marks an event field as personal data: appends store it sealed (AES-256-GCM) under the data key
 * of the event's subject (the field marked {@link DataSubject}), and once that subject is
 * forgotten (`eventStore.forgetSubject(id)`) it reads as {@link REDACTED}.
 *
 * ```ts
 * @EventType('customer.registered')
 * export class CustomerRegistered {
 *   @DataSubject() readonly customerId: string;
 *   @PersonalData() readonly email: string;
 *   @PersonalData() readonly address: { street: string; city: string };
 * }
 * ```
 *
 * The whole value is sealed, whatever its type (its JSON): a string, a number, an object. A field
 * that is `undefined` or `null` is stored as it is. Fields of the stored data are meant: with a
 * custom `serializer`, name them in the module's `personalData.types` instead.
 */
export function PersonalData(): (target: object | undefined, context: string | symbol | ClassFieldDecoratorContext) => void {
  return (target, context) => declareField(target, context, 'personal', '@PersonalData()');
}

/**
 * Marks the event field that holds the id of the data subject (a customer's id, say) whose key
 * seals the event's {@link PersonalData} fields. It must hold a non-empty string, and is stored in
 * clear (it names the key): use an id, not an e-mail address. One per class.
 */
export function DataSubject(): (target: object | undefined, context: string | symbol | ClassFieldDecoratorContext) => void {
  return (target, context) => declareField(target, context, 'subject', '@DataSubject()');
}
