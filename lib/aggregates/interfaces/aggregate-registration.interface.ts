import type { SnapshotPolicyContext } from '../snapshot-policy.js';

/** A class of aggregate: @nestjs/cqrs `AggregateRoot` or anything built with its `WithAggregateRoot` mixin. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AggregateClass<T extends object = object> = abstract new (...args: any[]) => T;

/** How the aggregates of one class are stored. */
export interface AggregateRegistration<TAggregate extends object = object> {
  /** The aggregate class. */
  type: AggregateClass<TAggregate>;
  /**
   * Stable name of the aggregate: its streams are `<name>-<id>`. Stored data depends on it, so it
   * must never change (class names change with renames and minifiers).
   */
  name: string;
  // Methods rather than function-typed properties: a registration typed with its own class stays
  // assignable where registrations of any class are expected.
  /** Builds an empty aggregate for an id. Default: `new type(id)`. */
  create?(id: string): TAggregate;
  /**
   * Reads an aggregate's id: a non-empty string, the one it is loaded by. Default: its `id`
   * property. Give it when the class keeps its id under another name (`accountId`, say): a class
   * whose constructor stores the id elsewhere and has no `id` is refused at start-up, and a save
   * whose id is not a non-empty string is refused with `INVALID_AGGREGATE_ID` (nothing written).
   */
  idOf?(aggregate: TAggregate): string;
  /** Snapshots of this aggregate's state; none when omitted. */
  snapshots?: AggregateSnapshotOptions<TAggregate>;
}

export interface AggregateSnapshotOptions<TAggregate extends object = object> {
  /** When to take one: `everyNEvents(n)` or a function of your own. */
  // NoInfer: `everyNEvents(n)` is a policy of any aggregate; the type comes from `type`.
  policy(context: SnapshotPolicyContext<NoInfer<TAggregate>>): boolean;
  /**
   * Revision of the snapshot's shape (default 1). Raise it when the state's shape changes:
   * snapshots of another revision are ignored, the aggregate is rebuilt from its events, and a
   * fresh snapshot is taken.
   */
  revision?: number;
  /** The state to store. Default: the aggregate's own enumerable properties. */
  toSnapshot?(aggregate: TAggregate): object;
  /** An aggregate rebuilt from a stored state. Default: `create(id)` with the state's properties assigned. */
  fromSnapshot?(id: string, state: object): TAggregate;
  /**
   * Crypto-shredding (needs the module's `personalData` option): the id of the data subject whose
   * key seals the whole snapshot state, read from the state (by default the aggregate's own
   * properties): `subject: (state) => state.customerId as string`. Once the subject is forgotten,
   * its snapshots cannot be opened and the aggregate loads from its events (personal fields redacted).
   */
  subject?(state: Record<string, unknown>): string;
}

/**
 * `DynamoEventSourcingModule.forFeature()` options. `TAggregates` is inferred from `aggregates`, so
 * that each registration's `idOf`, `create` and snapshot functions are typed by its own class.
 */
export interface DynamoEventSourcingFeatureOptions<TAggregates extends readonly object[] = object[]> {
  /** Aggregates to provide repositories for, injected with `@InjectAggregateRepository(Type)`. */
  aggregates?: { [K in keyof TAggregates]: AggregateRegistration<TAggregates[K]> };
  /** More event classes for the module's registry (same forms as `forRoot({ events })`). */
  events?: import('../../serialization/event-type-registry.js').EventRegistration[];
  /**
   * `@Projection` classes, run by the `ProjectionManager`. They become providers of this feature
   * (exported), so they can inject its aggregate repositories, global providers, and the exports of `imports`.
   */
  projections?: Array<import('@nestjs/common').Type<object>>;
  /** Modules whose exported providers the feature's projections inject (their read model's storage, say). */
  imports?: import('@nestjs/common').ModuleMetadata['imports'];
}
