import { Inject } from '@nestjs/common';
import { getAggregateRepositoryToken } from './aggregate-repository.token.js';
import type { AggregateClass } from './interfaces/aggregate-registration.interface.js';

/**
 * Injects the `AggregateRepository` of an aggregate class registered with
 * `DynamoEventSourcingModule.forFeature({ aggregates })`.
 *
 * ```ts
 * constructor(@InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>) {}
 * ```
 */
export const InjectAggregateRepository = (type: AggregateClass): ParameterDecorator & PropertyDecorator =>
  Inject(getAggregateRepositoryToken(type));
