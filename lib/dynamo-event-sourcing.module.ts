import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { EVENT_SOURCING_RUNTIME } from './dynamo-event-sourcing.constants.js';
import { DynamoEventSourcingConfigurableModule, DYNAMO_EVENT_SOURCING_OPTIONS } from './dynamo-event-sourcing.module-definition.js';
import { createEventSourcingRuntime, type EventSourcingRuntime } from './event-sourcing-runtime.js';
import { EventStore } from './event-store/event-store.js';
import type { DynamoEventSourcingModuleOptions } from './interfaces/dynamo-event-sourcing-module-options.interface.js';
import { CommittedEventsPublisher } from './publishing/committed-events.publisher.js';

/**
 * Event sourcing on DynamoDB for Nest apps: provides the {@link EventStore}.
 *
 * ```ts
 * @Module({
 *   imports: [
 *     CqrsModule.forRoot(),
 *     DynamoEventSourcingModule.forRoot({ tableSetup: 'create', events: [AccountOpened] }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 *
 * `forRootAsync({ imports, inject, useFactory | useClass | useExisting })` takes the same options
 * from a factory. Both accept `isGlobal` (default true).
 */
@Module({
  providers: [
    {
      provide: EVENT_SOURCING_RUNTIME,
      useFactory: (options: DynamoEventSourcingModuleOptions) => createEventSourcingRuntime(options),
      inject: [DYNAMO_EVENT_SOURCING_OPTIONS],
    },
    CommittedEventsPublisher,
    EventStore,
  ],
  exports: [EventStore],
})
export class DynamoEventSourcingModule extends DynamoEventSourcingConfigurableModule implements OnModuleDestroy {
  constructor(@Inject(EVENT_SOURCING_RUNTIME) private readonly runtime: EventSourcingRuntime) {
    super();
  }

  onModuleDestroy(): void {
    if (this.runtime.ownsClient) this.runtime.client.destroy();
  }
}
