import type { FeedEvent } from '../feed/interfaces/feed-event.interface.js';
import type { EventClass } from '../serialization/event-type-registry.js';

/** What `@ProjectionHandler` records: a method and the event classes it handles. */
export interface ProjectionHandlerDeclaration {
  readonly method: string | symbol;
  readonly events: readonly EventClass[];
}

const HANDLERS = Symbol.for('nestjs-dynamo-es:projection-handlers');

/**
 * A method that can handle events of the given classes: it is called with an instance of one of
 * them and its feed envelope. Parameters may be fewer, or wider (`object`, a union with more
 * classes, `FeedEvent`); the return value is ignored, but a promise is awaited.
 */
export type ProjectionHandlerMethod<TEvent extends object> = (event: TEvent, envelope: FeedEvent<TEvent>) => unknown;

/**
 * What `@ProjectionHandler(A, B)` returns: a method decorator that only fits a method whose
 * parameters accept `A | B` and `FeedEvent<A | B>`, so that a handler declaring another event type
 * does not compile.
 */
export type ProjectionHandlerDecorator<TEvent extends object> = <TMethod extends ProjectionHandlerMethod<TEvent>>(
  prototype: object,
  method: string | symbol,
  // Generic over the method: a TypedPropertyDescriptor of the handler type itself would also demand the reverse (its `set`).
  descriptor: TypedPropertyDescriptor<TMethod>,
) => void;

/**
 * Marks a method of a `@Projection` class as the handler of events of the given classes (each
 * registered in the module's `events`). It is called as `(event, envelope)`, with the event as an
 * instance of its class and its {@link FeedEvent} envelope (stream, version, ids, metadata, checkpoint),
 * one event at a time in feed order (each stream in version order); a returned promise is awaited.
 * An event class may be handled by one method of a projection only.
 *
 * The compiler checks the method against the classes: `@ProjectionHandler(MoneyDeposited, MoneyWithdrawn)`
 * fits `on(event: MoneyDeposited | MoneyWithdrawn, envelope: FeedEvent<MoneyDeposited | MoneyWithdrawn>)`
 * (or fewer parameters, or wider ones such as `object` and `FeedEvent`), not `on(event: MoneyDeposited)`.
 * Narrow inside with `instanceof` or {@link isEvent}.
 */
export function ProjectionHandler<TClasses extends readonly EventClass[]>(...events: TClasses): ProjectionHandlerDecorator<InstanceType<TClasses[number]>> {
  return (prototype, method) => {
    const own = Object.hasOwn(prototype, HANDLERS) ? (prototype as Record<symbol, ProjectionHandlerDeclaration[]>)[HANDLERS]! : [];
    Object.defineProperty(prototype, HANDLERS, {
      value: [...own, Object.freeze({ method, events: Object.freeze([...events]) })],
      enumerable: false,
      configurable: true,
    });
  };
}

/**
 * The handlers declared on a class and its base classes, one per method: two decorators on one
 * method add up; a subclass's declaration of a method replaces its base's.
 */
export function projectionHandlersOf(type: Function): ProjectionHandlerDeclaration[] {
  const found = new Map<string | symbol, ProjectionHandlerDeclaration>();
  for (let prototype = type.prototype as object | null; prototype !== null && prototype !== Object.prototype; prototype = Object.getPrototypeOf(prototype)) {
    if (!Object.hasOwn(prototype, HANDLERS)) continue;
    const level = new Map<string | symbol, EventClass[]>();
    for (const { method, events } of (prototype as Record<symbol, ProjectionHandlerDeclaration[]>)[HANDLERS]!) {
      level.set(method, [...(level.get(method) ?? []), ...events]);
    }
    for (const [method, events] of level) if (!found.has(method)) found.set(method, { method, events });
  }
  return [...found.values()];
}
