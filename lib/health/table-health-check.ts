import { GetItemCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { RESERVED_STREAM_PREFIX } from '../event-store/input-validation.js';
import { provisionSnapshotsTimeToLive } from '../snapshots/snapshots-time-to-live.js';
import { EventItemAttribute as E } from '../tables/events-table.js';
import { connectionFailure, describeEndpoint } from '../tables/dynamodb-reachability.js';
import { compareTable } from '../tables/table-provisioner.js';
import { describeTable } from '../tables/table-wait.js';
import type { PlannedTable } from '../tables/planned-tables.js';
import type { TableReport, TableRole, TablesReport } from './interfaces/health-report.interface.js';
import { NoAnswerInTimeError, withinTime } from './within-time.js';

/** A key no commit can have (stream ids may not start with the reserved prefix): the probe reads nothing. */
const PROBE_KEY = { [E.streamId]: { S: `${RESERVED_STREAM_PREFIX}health-probe` }, [E.version]: { N: '0' } };

const MISSING =
  "it does not exist (create it with `nestjs-dynamo-es tables create` or tableSetup: 'create', or check the table name, prefix, region and endpoint)";

/** How the check should go this time (the indicator resolves the defaults). */
export interface TableCheckSettings {
  readonly tables: readonly PlannedTable[];
  readonly verifyTables: boolean;
  readonly verifyIntervalMs: number;
  readonly timeoutMs: number;
  /** Why the tables are not described, for the report, when `verifyTables` is false. */
  readonly notVerifiedBecause: string;
}

/** The check's outcome: up or down, and what the indicator reports. */
export interface TableCheckOutcome {
  readonly healthy: boolean;
  readonly report: TablesReport;
}

/** One description of the tables, kept for `verifyIntervalMs`. */
interface Verification {
  readonly at: number;
  readonly tables: Partial<Record<TableRole, TableReport>>;
}

/** The first wait before describing the tables again after a description failed. */
const FIRST_RETRY_MS = 5_000;

const eventsTableExists = (verification: Verification): boolean => verification.tables.events?.differences?.[0] !== MISSING;

/**
 * Whether DynamoDB answers and the module's tables are as expected, cheaply enough for a probe
 * every few seconds: the tables are described with the same comparison as `tableSetup: 'verify'`
 * and `tables verify` (keys, indexes, stream, time to live) at most once per interval, and a single
 * GetItem of a key no commit has checks in between that DynamoDB answers and the events table is
 * still there. Never throws: every failure is a down outcome saying what to do.
 */
export class TableHealthCheck {
  private verification?: Verification;
  /** The description in progress, shared by concurrent calls. */
  private describing?: Promise<Verification>;
  /**
   * The last description that failed (throttled, timed out, refused), and how long to wait before the
   * next: a failing DescribeTable is not sent again on every probe, but after 5 s, then twice as long
   * each time, up to the interval.
   */
  private failure?: { readonly at: number; readonly error: unknown; readonly waitMs: number };
  private endpoint?: Promise<string>;

  constructor(private readonly client: DynamoDBClient) {}

  async check(settings: TableCheckSettings): Promise<TableCheckOutcome> {
    const endpoint = await (this.endpoint ??= describeEndpoint(this.client));
    try {
      if (settings.verifyTables) return this.outcome(endpoint, await this.verified(settings));
      if (await this.probe(settings)) return { healthy: true, report: { endpoint, reachable: true, note: settings.notVerifiedBecause } };
      const events = settings.tables.find((table) => table.role === 'events')!.definition.TableName!;
      return { healthy: false, report: { endpoint, reachable: true, note: settings.notVerifiedBecause, message: new TableMismatchError(events, [MISSING]).message } };
    } catch (error) {
      return { healthy: false, report: { endpoint, reachable: false, ...this.lastKnown(settings), message: this.unreachable(endpoint, error) } };
    }
  }

  /**
   * The kept description while it is young enough and a probe agrees with it (DynamoDB answers, and
   * the events table exists as it said); otherwise a new one (shared by concurrent calls).
   */
  private async verified(settings: TableCheckSettings): Promise<Verification> {
    const kept = this.verification;
    if (kept !== undefined && Date.now() - kept.at < settings.verifyIntervalMs) {
      if ((await this.probe(settings)) === eventsTableExists(kept)) return kept;
    }
    const failed = this.failure;
    if (failed !== undefined && Date.now() - failed.at < failed.waitMs) throw failed.error;
    this.describing ??= this.describe(settings).then(
      (verification) => {
        this.failure = undefined;
        return verification;
      },
      (error: unknown) => {
        const waitMs = failed === undefined ? Math.min(FIRST_RETRY_MS, settings.verifyIntervalMs) : Math.min(failed.waitMs * 2, settings.verifyIntervalMs);
        this.failure = { at: Date.now(), error, waitMs };
        throw error;
      },
    ).finally(() => (this.describing = undefined));
    return (this.verification = await this.describing);
  }

  /** Describes every table (in parallel), as start-up's verification does. */
  private async describe(settings: TableCheckSettings): Promise<Verification> {
    const at = Date.now();
    const reports = await Promise.all(settings.tables.map(async (table) => [table.role, await this.describeOne(table, settings)] as const));
    return { at, tables: Object.fromEntries(reports) };
  }

  private async describeOne(table: PlannedTable, settings: TableCheckSettings): Promise<TableReport> {
    const name = table.definition.TableName!;
    const description = await withinTime(describeTable(this.client, name), settings.timeoutMs);
    if (description === undefined) return { name, matches: false, differences: [MISSING] };
    const differences = compareTable(table.definition, description);
    if (table.timeToLiveAttribute !== undefined) {
      try {
        await withinTime(provisionSnapshotsTimeToLive(this.client, name, 'verify'), settings.timeoutMs);
      } catch (error) {
        if (!(error instanceof TableMismatchError)) throw error;
        differences.push(...error.differences);
      }
    }
    return differences.length === 0 ? { name, matches: true } : { name, matches: false, differences };
  }

  /** One eventually consistent GetItem (half a read unit). Resolves to false when the events table does not exist. */
  private async probe(settings: TableCheckSettings): Promise<boolean> {
    const events = settings.tables.find((table) => table.role === 'events')!;
    const abort = new AbortController();
    try {
      const request = this.client.send(
        new GetItemCommand({ TableName: events.definition.TableName, Key: PROBE_KEY, ProjectionExpression: E.streamId }),
        { abortSignal: abort.signal },
      );
      await withinTime(request, settings.timeoutMs, () => abort.abort());
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  }

  private outcome(endpoint: string, verification: Verification): TableCheckOutcome {
    const wrong = Object.values(verification.tables).filter((table) => !table.matches);
    const report: TablesReport = { endpoint, reachable: true, tables: verification.tables, verifiedAt: new Date(verification.at).toISOString() };
    if (wrong.length === 0) return { healthy: true, report };
    return { healthy: false, report: { ...report, message: wrong.map((table) => new TableMismatchError(table.name, [...table.differences!]).message).join(' ') } };
  }

  /** The last description, for a down report: what was known before DynamoDB stopped answering. */
  private lastKnown(settings: TableCheckSettings): Pick<TablesReport, 'tables' | 'verifiedAt'> {
    const kept = this.verification;
    if (!settings.verifyTables || kept === undefined) return {};
    return { tables: kept.tables, verifiedAt: new Date(kept.at).toISOString() };
  }

  private unreachable(endpoint: string, error: unknown): string {
    if (error instanceof NoAnswerInTimeError) return `DynamoDB at ${endpoint} gave ${error.message}.`;
    const reason = connectionFailure(error);
    if (reason !== undefined) return `Cannot reach DynamoDB at ${endpoint}: ${reason}. Check that DynamoDB runs there and that the network, endpoint and region are right.`;
    const { name, message } = error as Error;
    const permission = name === 'AccessDeniedException' ? ' (the app needs dynamodb:GetItem, DescribeTable and DescribeTimeToLive on its tables; or pass verifyTables: false)' : '';
    return `DynamoDB at ${endpoint} refused the health check: ${name}: ${message}${permission}.`;
  }
}
