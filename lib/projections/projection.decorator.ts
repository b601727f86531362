import { Injectable } from '@nestjs/common';
import type { ProjectionOptions } from './interfaces/projection-options.interface.js';

/** What `@Projection` records on a class. */
export interface ProjectionDeclaration {
  readonly name: string;
  readonly options: ProjectionOptions;
}

// A registry-wide symbol, as for @EventType: recognized even if the app loads two copies of this package.
const PROJECTION = Symbol.for('nestjs-dynamo-es:projection');

/**
 * Declares a projection: a class with a `@ProjectionHandler` method per event type, run by the
 * {@link ProjectionManager} from its stored checkpoint through the global feed: by one app instance
 * at a time (holding a lease), or, with `partitions`, split by stream id among the instances (each
 * partition with its own checkpoint and lease). Delivery is at least once, so handlers must be
 * idempotent; with `maxAttempts`, an event that keeps failing is parked (see `parkedStream`).
 *
 * ```ts
 * @Projection('balances', { partitions: 8, maxAttempts: 5 })
 * export class BalancesProjection implements ResettableProjection {
 *   constructor(private readonly balances: BalancesTable) {}
 *
 *   @ProjectionHandler(MoneyDeposited)
 *   async deposited(event: MoneyDeposited, envelope: FeedEvent<MoneyDeposited>) {
 *     await this.balances.add(event.accountId, event.amount, envelope.eventId);
 *   }
 *
 *   reset() { return this.balances.clear(); }
 * }
 * ```
 *
 * The name keys the stored checkpoint and lease: never change it (a new name starts from the
 * beginning of the feed). The class is also made `@Injectable()`: list it in the `providers` of any
 * module, where it injects what that module provides, as an `@EventsHandler` class would; the
 * ProjectionManager finds it there and checks its options at start-up. It must keep the default
 * (singleton) scope.
 */
export function Projection(name: string, options: ProjectionOptions = {}): ClassDecorator {
  return (target) => {
    Object.defineProperty(target, PROJECTION, {
      value: Object.freeze({ name, options }) satisfies ProjectionDeclaration,
      enumerable: false,
      configurable: true, // a second @Projection on the same class replaces the first
    });
    Injectable()(target);
  };
}

/** The class's own `@Projection` declaration, if any (subclasses do not inherit it). */
export function projectionDeclarationOf(type: Function): ProjectionDeclaration | undefined {
  return Object.hasOwn(type, PROJECTION) ? (type as unknown as Record<symbol, ProjectionDeclaration>)[PROJECTION] : undefined;
}
