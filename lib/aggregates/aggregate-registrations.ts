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
      const revision = snapshots.revision ?? 1;
      if (!Number.isSafeInteger(revision) || revision < 1) {
        throw new InvalidModuleOptionsError(`${at}.snapshots.revision`, `must be a whole number >= 1; got ${revision}.`);
      }
    }
  });
}
