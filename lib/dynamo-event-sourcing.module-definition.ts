import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { DynamoEventSourcingModuleOptions } from './interfaces/dynamo-event-sourcing-module-options.interface.js';

export const {
  ConfigurableModuleClass: DynamoEventSourcingConfigurableModule,
  MODULE_OPTIONS_TOKEN: DYNAMO_EVENT_SOURCING_OPTIONS,
  OPTIONS_TYPE: DYNAMO_EVENT_SOURCING_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: DYNAMO_EVENT_SOURCING_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<DynamoEventSourcingModuleOptions>()
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createDynamoEventSourcingOptions')
  // Global by default: the EventStore is infrastructure, injected from every feature module.
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
