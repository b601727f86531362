import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DynamoEventSourcingHealthIndicator } from './dynamo-event-sourcing-health.indicator.js';

/**
 * Provides {@link DynamoEventSourcingHealthIndicator} to the module that imports it, next to
 * Terminus's own indicators. Needs `DynamoEventSourcingModule.forRoot` (or `forRootAsync`) in the
 * app, global as it is by default.
 *
 * ```ts
 * @Module({
 *   imports: [TerminusModule, DynamoEventSourcingHealthModule],
 *   controllers: [HealthController],
 * })
 * export class HealthModule {}
 * ```
 */
@Module({
  // Terminus's HealthIndicatorService builds the results; importing the module (rather than
  // providing the service here) is how Terminus documents custom indicators.
  imports: [TerminusModule],
  providers: [DynamoEventSourcingHealthIndicator],
  exports: [DynamoEventSourcingHealthIndicator],
})
export class DynamoEventSourcingHealthModule {}
