import type { AggregateClass } from './interfaces/aggregate-registration.interface.js';

const tokens = new WeakMap<AggregateClass, symbol>();

/** The injection token of an aggregate class's repository: one per class, safe from name clashes. */
export function getAggregateRepositoryToken(type: AggregateClass): symbol {
  let token = tokens.get(type);
  if (token === undefined) {
    token = Symbol(`AggregateRepository<${type.name}>`);
    tokens.set(type, token);
  }
  return token;
}
