import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { DynamoEventSourcingHealthModule } from '../../lib/health/index.js';
import { HealthController } from './health.controller.js';

/** `GET /health`: Terminus, with the event sourcing module's indicator. */
@Module({
  imports: [TerminusModule, DynamoEventSourcingHealthModule],
  controllers: [HealthController],
})
export class HealthModule {}
