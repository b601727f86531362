import { Controller, Get, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { DynamoEventSourcingHealthIndicator } from '../../lib/health/index.js';
import { HealthReportFilter } from './health-report.filter.js';

/**
 * `GET /health`, for a load balancer or an orchestrator's probe: 200 when DynamoDB answers, the
 * tables are as the app expects them, the read model's projection is neither failing nor more than
 * 10 s behind, and the feed indexer is not failing; 503 otherwise, with Terminus's report (each
 * check's status, and a message saying what is wrong).
 */
@Controller('health')
@UseFilters(HealthReportFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly eventSourcing: DynamoEventSourcingHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing', { maxLagMs: 10_000 })]);
  }
}
