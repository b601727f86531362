import { EventStoreError, EventStoreErrorCode } from './event-store.error.js';

/**
 * `DynamoEventSourcingModule.forFeature()` was imported into an app that has no
 * `DynamoEventSourcingModule.forRoot()` / `forRootAsync()` (or `InMemoryEventSourcingModule.forRoot()`)
 * where the feature can see it. Raised at start-up, instead of Nest's injection error about a symbol.
 */
export class RootModuleMissingError extends EventStoreError {
  readonly code = EventStoreErrorCode.ROOT_MODULE_MISSING;

  constructor(
    /** What the feature registers (aggregates, projections, events), to find which forFeature() it is. */
    readonly feature: string,
  ) {
    super(
      `DynamoEventSourcingModule.forFeature(${feature}) needs DynamoEventSourcingModule.forRoot() or forRootAsync() imported once in the app: ` +
        "add it to the root module's imports (in unit tests, InMemoryEventSourcingModule.forRoot() from nestjs-dynamo-es/testing). " +
        'It is global by default; with isGlobal: false, pass that same forRoot() module to forFeature({ imports: [...] }) as well.',
    );
  }
}
