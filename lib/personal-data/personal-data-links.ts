import type { PreparedAppend } from '../event-store/prepared-append.js';
import { PersonalDataDisabledError } from '../errors/personal-data-disabled.error.js';
import type { ErasureReport } from '../lifecycle/interfaces/erasure-report.interface.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { declarationOfClass } from './personal-data-declarations.js';
import { assertSubjectId, type PersonalDataService } from './personal-data-service.js';

/**
 * Where the code that stores and reads events finds the app's crypto-shredding: by the app's event
 * type registry (appends, decoding, aggregate repositories), and by the DynamoDB client and events
 * table (the table reads, which know nothing else of the app). Set up by the runtime.
 */
const byRegistry = new WeakMap<object, PersonalDataService>();
const byClient = new WeakMap<object, Map<string, PersonalDataService>>();

/** Makes `service` the crypto-shredding of the app with this registry, client and events table. */
export function linkPersonalData(service: PersonalDataService, app: { registry: EventTypeRegistry; client: object; eventsTable: string }): void {
  byRegistry.set(app.registry, service);
  service.useApp(app.registry, app.eventsTable);
  let tables = byClient.get(app.client);
  if (tables === undefined) byClient.set(app.client, (tables = new Map()));
  tables.set(app.eventsTable, service);
}

/** Undoes {@link linkPersonalData} (at shutdown). */
export function unlinkPersonalData(service: PersonalDataService, app: { registry: object; client: object; eventsTable: string }): void {
  if (byRegistry.get(app.registry) === service) byRegistry.delete(app.registry);
  const tables = byClient.get(app.client);
  if (tables?.get(app.eventsTable) === service) tables.delete(app.eventsTable);
}

/** The crypto-shredding of the app with this registry, if it has any. */
export function personalDataOf(registry: object): PersonalDataService | undefined {
  return byRegistry.get(registry);
}

/**
 * The read hook: fetches the keys the sealed values of these items need (one BatchGetItem on the
 * keys table) when the app reading them has crypto-shredding, and returns the items.
 */
export function withPersonalDataKeys<T extends { readonly events: string }>(client: object, eventsTable: string, items: T[]): Promise<T[]> | T[] {
  const service = byClient.get(client)?.get(eventsTable);
  return service === undefined || items.length === 0 ? items : service.prefetch(items);
}

/**
 * The append hook: seals the personal fields of a prepared append in place.
 * @throws PersonalDataDisabledError when an event type has personal data but the app no `personalData` option (nothing written).
 */
export async function sealPersonalData(prepared: PreparedAppend, registry: EventTypeRegistry): Promise<void> {
  const service = byRegistry.get(registry);
  if (service !== undefined) return service.seal(prepared, registry);
  for (const { type } of prepared.packable) {
    const registered = registry.resolve(type);
    if (declarationOfClass(registered.type, registered.name) !== undefined) throw new PersonalDataDisabledError(`An append of "${type}" (it has @PersonalData fields)`);
  }
}

/**
 * `EventStore.forgetSubject`.
 * @throws InvalidArgumentError (INVALID_SUBJECT_ID), PersonalDataDisabledError
 */
export async function forgetSubjectOf(registry: EventTypeRegistry, subjectId: string): Promise<ErasureReport> {
  assertSubjectId(subjectId);
  const service = byRegistry.get(registry);
  if (service === undefined) throw new PersonalDataDisabledError('forgetSubject');
  return service.forgetSubject(subjectId);
}
