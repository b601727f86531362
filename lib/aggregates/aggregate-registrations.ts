import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { AggregateRegistration } from './interfaces/aggregate-registration.interface.js';

// No '-': it separates name and id in stream ids, so that `order` + `line-5` and `order-line` + `5` cannot meet.
const NAME = /^[A-Za-z0-9_.:]{1,100}$/;

/** Checks `forFeature({ aggregates })` at start-up, naming the entry that is wrong. */
export function assertAggregateRegistrations(registrations: unknown): asserts registrations is AggregateRegistration[] {
  if (!Array.isArray(registrations)) throw new InvalidModuleOptionsError('aggregates', 'must be an array of { type, name } objects.');
  const names = new Set<string>();
  registrations.forEach((registration: Partial<AggregateRegistration> | null, index) => {
    const at = `aggregates[${index}]`;
    if (registration === null || typeof registration !== 'object') throw new InvalidModuleOptionsError(at, 'must be an object such as { type: Account, name: "account" }.');
    const { type, name, snapshots } = registration;
    if (typeof type !== 'function') throw new InvalidModuleOptionsError(`${at}.type`, 'must be the aggregate class.');
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidModuleOptionsError(
        `${at}.name`,
        `must be a stable name of 1 to 100 letters, digits, _ . or : (it prefixes every stream id of ${type.name}, followed by '-'); got ${JSON.stringify(name)}.`,
      );
    }
    if (names.has(name)) throw new InvalidModuleOptionsError(`${at}.name`, `"${name}" is used by two aggregates.`);
    names.add(name);
    if (snapshots !== undefined) {
      if (typeof snapshots?.policy !== 'function') {
        throw new InvalidModuleOptionsError(`${at}.snapshots.policy`, 'must be a function, such as everyNEvents(100).');
      }
      if (snapshots.subject !== undefined && typeof snapshots.subject !== 'function') {
        throw new InvalidModuleOptionsError(`${at}.snapshots.subject`, 'must be a function of the snapshot state returning the data subject id.');
      }
      const revision = snapshots.revision ?? 1;
      if (!Number.isSafeInteger(revision) || revision < 1) {
        throw new InvalidModuleOptionsError(`${at}.snapshots.revision`, `must be a whole number >= 1; got ${revision}.`);
      }
    }
  });
}

/** An id no app uses: finding it in some other property of a fresh aggregate shows where its constructor keeps the id. */
const PROBE_ID = 'nestjs-dynamo-es:id-probe';

/**
 * Start-up check, for a registration without `idOf` (the repository then reads `id`): refuses a
 * class whose constructor keeps the id it is given under another name (`accountId`, say) and has
 * no `id`, which would save every aggregate to the stream `<name>-undefined`. Builds one aggregate
 * with `create` for that. What cannot be told here (the constructor refuses the probe id, the id is
 * set by an event) is left to `save()`, which refuses any id that is not a non-empty string.
 * @throws InvalidModuleOptionsError naming `idOf` and the property that holds the id.
 */
export function assertAggregateIdReadable<T extends object>(registration: AggregateRegistration<T>, create: (id: string) => T): void {
  if (registration.idOf !== undefined) return;
  let probe: T;
  try {
    probe = create(PROBE_ID);
  } catch {
    return; // a constructor that validates its id: nothing to learn from it here
  }
  if (probe === null || typeof probe !== 'object') return;
  const fields = probe as Record<string, unknown>;
  if (fields.id !== undefined && fields.id !== null) return;
  const holder = Object.keys(fields).find((key) => fields[key] === PROBE_ID);
  if (holder === undefined) return;
  throw new InvalidModuleOptionsError(
    `aggregates (${registration.name}).idOf`,
    `is needed: ${registration.type.name} keeps its id in \`${holder}\` and has no \`id\`, which is what the repository reads without idOf ` +
      `(every ${registration.type.name} would be saved to the stream "${registration.name}-undefined"). ` +
      `Add idOf: (aggregate) => aggregate.${holder} to its registration.`,
  );
}
