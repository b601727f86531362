/** Injection token of the module's {@link EventSourcingRuntime} (client, resolved options, registry). */
export const EVENT_SOURCING_RUNTIME = Symbol('nestjs-dynamo-es:runtime');
