import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { describeValue } from '../errors/describe-value.js';
import { UnknownProjectionError } from '../errors/unknown-projection.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { FeedIndexerService } from '../feed/indexer/feed-indexer.service.js';
import { ProjectionManager } from '../projections/projection-manager.js';
import { readAppLag } from './app-lag.js';
import { assertHealthOptions } from './assert-health-options.js';
import { plannedTables } from '../tables/planned-tables.js';
import { assessFeedIndexer } from './feed-indexer-health.js';
import type { EventSourcingHealthOptions, ProjectionsHealthOptions, TablesHealthOptions } from './interfaces/health-options.interface.js';
import type { EventSourcingHealthReport, FeedIndexerReport, ProjectionsReport, TablesReport } from './interfaces/health-report.interface.js';
import { assessProjection, type AppLag } from './projection-health.js';
import { TableHealthCheck } from './table-health-check.js';
import { withinTime } from './within-time.js';

const DEFAULT_VERIFY_INTERVAL_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 5_000;

/** One check's verdict and report, before Terminus's `up`/`down` wraps it under the caller's key. */
interface Checked<Report> {
  readonly healthy: boolean;
  readonly report: Report;
}

/**
 * A `@nestjs/terminus` health indicator for the event sourcing module: DynamoDB reachable and the
 * module's tables as expected, each projection's state and lag against thresholds, the in-app feed
 * indexer's state. Each check reports under the key it is given, like Terminus's own indicators;
 * `isHealthy()` runs them all under one key.
 *
 * ```ts
 * @Controller('health')
 * export class HealthController {
 *   constructor(
 *     private readonly health: HealthCheckService,
 *     private readonly eventSourcing: DynamoEventSourcingHealthIndicator,
 *   ) {}
 *
 *   @Get()
 *   @HealthCheck()
 *   check() {
 *     return this.health.check([() => this.eventSourcing.isHealthy('event-sourcing', { maxLagMs: 5000 })]);
 *   }
 * }
 * ```
 *
 * Provided by {@link DynamoEventSourcingHealthModule}. The checks never throw for what they find
 * (DynamoDB down, a table missing, a projection failing: each is reported `down` with a message
 * saying what to do); only bad options throw (`InvalidArgumentError`, or `UnknownProjectionError`
 * for a projection name the app does not have), which Terminus answers with a 500.
 */
@Injectable()
export class DynamoEventSourcingHealthIndicator {
  private readonly tableCheck: TableHealthCheck;

  constructor(
    private readonly healthIndicatorService: HealthIndicatorService,
    @Inject(EVENT_SOURCING_RUNTIME) private readonly runtime: EventSourcingRuntime,
    private readonly projectionManager: ProjectionManager,
    private readonly feedIndexerService: FeedIndexerService,
  ) {
    this.tableCheck = new TableHealthCheck(runtime.client);
  }

  /**
   * Every check under one key: `dynamodb` (see {@link tables}), `projections` (see
   * {@link projections}) and `feedIndexer` (see {@link feedIndexer}), each with its own status;
   * down when any is, with their messages joined.
   * @throws InvalidArgumentError (INVALID_HEALTH_OPTIONS); UnknownProjectionError
   */
  async isHealthy<const Key extends string>(key: Key, options: EventSourcingHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    assertHealthOptions(options, 'isHealthy');
    const [dynamodb, projections] = await Promise.all([this.checkTables(options), this.checkProjections(options)]);
    const feedIndexer = assessFeedIndexer(this.feedIndexerService.status());
    const parts = [dynamodb, projections, feedIndexer];
    const messages = parts.filter((part) => !part.healthy).map((part) => part.report.message);
    const report: EventSourcingHealthReport = {
      dynamodb: withStatus(dynamodb),
      projections: withStatus(projections),
      feedIndexer: withStatus(feedIndexer),
      ...(messages.length === 0 ? {} : { message: messages.join(' ') }),
    };
    return this.result(key, { healthy: messages.length === 0, report });
  }

  /**
   * DynamoDB answers, and the events table (and the snapshots and projections tables, when the
   * app uses them) exist with the keys, indexes, stream and time to live the module needs: the
   * comparison `tableSetup: 'verify'` makes at start-up. Down names each table and what differs,
   * or the endpoint and why it cannot be reached.
   *
   * Cost: one GetItem of a key no commit has (half a read unit) per call; DescribeTable (and
   * DescribeTimeToLive for snapshots with a time to live) once per `verifyIntervalMs` (default
   * 60 s), as these control-plane calls have low rate limits. With `tableSetup: 'none'` the tables
   * are not described unless `verifyTables: true`.
   * @throws InvalidArgumentError (INVALID_HEALTH_OPTIONS)
   */
  async tables<const Key extends string>(key: Key, options: TablesHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    assertHealthOptions(options, 'tables');
    return this.result(key, await this.checkTables(options));
  }

  /**
   * Each projection of the app (or those named in `projections`): down when it is `failing` or
   * `blocked` (with its last error, which says how to fix a blocked one), or when its lag is over
   * `maxLagMs` or `maxLagCommits`; up when `live` or `catching-up` within them, and up with a note
   * when `standby`, `stopped` or `rebuilding` (its lag is not judged then, with `lagScope: 'instance'`).
   *
   * `lagScope` says whose lag is judged: this instance's (the default; no request) or the whole
   * app's, read from the tables (about five reads per projection). See {@link LagScope}.
   * @throws InvalidArgumentError (INVALID_HEALTH_OPTIONS); UnknownProjectionError
   */
  async projections<const Key extends string>(key: Key, options: ProjectionsHealthOptions = {}): Promise<HealthIndicatorResult<Key>> {
    assertHealthOptions(options, 'projections');
    return this.result(key, await this.checkProjections(options));
  }

  /**
   * The in-app feed indexer (module option `feed.indexer`): down while it is `failing` (with its
   * last error); up when indexing, on standby, reconciling, or when the app does not run it (a note
   * says so). No request.
   */
  async feedIndexer<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    return this.result(key, assessFeedIndexer(this.feedIndexerService.status()));
  }

  private checkTables(options: TablesHealthOptions): Promise<Checked<TablesReport>> {
    const moduleOptions = this.runtime.options;
    const verifyTables = options.verifyTables ?? moduleOptions.tableSetup !== 'none';
    return this.tableCheck.check({
      tables: plannedTables(moduleOptions, this.projectionManager.statuses().length > 0),
      verifyTables,
      verifyIntervalMs: options.verifyIntervalMs ?? DEFAULT_VERIFY_INTERVAL_MS,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      notVerifiedBecause:
        options.verifyTables === false
          ? 'tables not described (verifyTables: false): only reachability is checked'
          : "tables not described, as tableSetup is 'none' (pass verifyTables: true to describe them): only reachability is checked",
    });
  }

  private async checkProjections(options: ProjectionsHealthOptions): Promise<Checked<ProjectionsReport>> {
    const all = this.projectionManager.statuses();
    const missing = options.projections?.find((name) => !all.some((status) => status.name === name));
    if (missing !== undefined) throw new UnknownProjectionError(`Projection ${describeValue(missing)}`, all.map((status) => status.name));
    const selected = options.projections === undefined ? all : all.filter((status) => options.projections!.includes(status.name));
    const lagScope = options.lagScope ?? 'instance';
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const appLags = lagScope === 'app' ? await Promise.all(selected.map((status) => this.appLag(status.name, timeoutMs))) : [];
    const assessed = selected.map((status, i) => [status.name, assessProjection(status, options, lagScope, appLags[i])] as const);
    const problems = assessed.filter(([, report]) => report.problem !== undefined).map(([name, report]) => `Projection "${name}" is ${report.problem}.`);
    const report: ProjectionsReport = {
      projections: Object.fromEntries(assessed),
      lagScope,
      ...(problems.length === 0 ? {} : { message: problems.join(' ') }),
    };
    return { healthy: problems.length === 0, report };
  }

  /** The app-wide lag, or why it is not known: a failed read is the tables check's to report, not a projection problem. */
  private async appLag(name: string, timeoutMs: number): Promise<AppLag> {
    const { client, options } = this.runtime;
    try {
      return await withinTime(readAppLag({ client, projectionsTable: options.projectionsTable, eventsTable: options.eventsTable, retry: options.retry }, name), timeoutMs);
    } catch (error) {
      return { rebuilding: false, unknown: `reading it from the tables failed: ${(error as Error).message}` };
    }
  }

  private result<const Key extends string>(key: Key, checked: Checked<object>): HealthIndicatorResult<Key> {
    const indicator = this.healthIndicatorService.check(key);
    const data = { ...checked.report } as Record<string, unknown>;
    return checked.healthy ? indicator.up(data) : indicator.down(data);
  }
}

function withStatus<Report extends FeedIndexerReport | ProjectionsReport | TablesReport>(checked: Checked<Report>): Report & { readonly status: 'up' | 'down' } {
  return { ...checked.report, status: checked.healthy ? 'up' : 'down' };
}
