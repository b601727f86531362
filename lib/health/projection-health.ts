import type { ProjectionLag, ProjectionStatus } from '../projections/interfaces/projection-status.interface.js';
import type { LagScope } from './interfaces/health-options.interface.js';
import type { ProjectionReport } from './interfaces/health-report.interface.js';

/** The lag a projection may have before it is reported down; an absent threshold is not checked. */
export interface LagThresholds {
  readonly maxLagMs?: number;
  readonly maxLagCommits?: number;
}

/** A projection's app-wide lag read from the tables (`lagScope: 'app'`), or why it could not be measured. */
export interface AppLag {
  readonly lag?: ProjectionLag;
  readonly unknown?: string;
  /** A rebuild is under way somewhere (the stored flag is set): its lag is expected. */
  readonly rebuilding: boolean;
}

/** Why a state is up without its lag being judged here (the `instance` scope). */
const NOT_JUDGED_HERE: Partial<Record<ProjectionStatus['state'], string>> = {
  standby: 'another instance runs it; this one takes over if it goes away',
  stopped: 'not running in this instance (projections.autoStart is false, or it was stopped)',
  rebuilding: 'rebuilding: its lag is judged once it is live again',
};

/**
 * Judges one projection: down when it is `failing` or `blocked` (saying why, from its last error),
 * or when its lag is over a threshold; up otherwise, with a note when its lag is not judged.
 *
 * With `scope` `instance`, the lag is this instance's: an unpartitioned projection's while it
 * reads here, a partitioned one's the greatest of the partitions held here. With `app`, it is
 * `appLag` (every partition's, from the tables), judged whatever this instance does, except during
 * a rebuild. Pure: the indicator gathers, this decides.
 */
export function assessProjection(status: ProjectionStatus, thresholds: LagThresholds, scope: LagScope, appLag?: AppLag): ProjectionReport {
  const partitions = status.partitions === undefined ? {} : { partitions: { total: status.partitions.length, here: status.partitions.filter((p) => p.here).length } };
  const base = { state: status.state, ...partitions };
  if (status.state === 'failing' || status.state === 'blocked') {
    const lag = scope === 'app' ? appLag?.lag : localLag(status);
    const reason = status.lastError?.message ?? 'no error recorded';
    const what = status.state === 'failing' ? 'failing (retried from its last saved checkpoint, with backoff)' : 'blocked';
    return { ...base, ...(lag === undefined ? {} : { lag }), problem: `${what}: ${reason}` };
  }
  if (scope === 'app') {
    if (appLag?.rebuilding === true || status.state === 'rebuilding') return { ...base, ...withLag(appLag?.lag), note: NOT_JUDGED_HERE.rebuilding };
    if (appLag?.lag === undefined) return { ...base, note: `lag not known: ${appLag?.unknown ?? 'not read'}` };
    return judged(base, appLag.lag, thresholds);
  }
  const note = NOT_JUDGED_HERE[status.state];
  if (note !== undefined) return { ...base, ...withLag(localLag(status)), note };
  const lag = localLag(status);
  if (lag === undefined) return { ...base, note: 'lag not known yet: no page read since it started' };
  return judged(base, lag, thresholds);
}

/**
 * The lag over a threshold, in words, or undefined when within them. A lag in time not known
 * (`ms` undefined: no commit time seen yet) is not judged in time.
 */
export function lagProblem(lag: ProjectionLag, thresholds: LagThresholds): string | undefined {
  const over: string[] = [];
  if (thresholds.maxLagMs !== undefined && lag.ms !== undefined && lag.ms > thresholds.maxLagMs) {
    over.push(`its oldest event not handled is ${lag.ms} ms old, over maxLagMs ${thresholds.maxLagMs}`);
  }
  if (thresholds.maxLagCommits !== undefined && lag.commits > thresholds.maxLagCommits) {
    over.push(`it is ${lag.commits} commits behind the feed's head, over maxLagCommits ${thresholds.maxLagCommits}`);
  }
  return over.length === 0 ? undefined : `lagging: ${over.join(', and ')}`;
}

/** The greatest of several lags (each measure on its own), or undefined when there is none. */
export function greatestLag(lags: readonly (ProjectionLag | undefined)[]): ProjectionLag | undefined {
  const known = lags.filter((lag): lag is ProjectionLag => lag !== undefined);
  if (known.length === 0) return undefined;
  const times = known.map((lag) => lag.ms).filter((ms): ms is number => ms !== undefined);
  return { commits: Math.max(...known.map((lag) => lag.commits)), ms: times.length === 0 ? undefined : Math.max(...times) };
}

/** This instance's lag: its own reading's, or the greatest of the partitions it holds. */
function localLag(status: ProjectionStatus): ProjectionLag | undefined {
  if (status.partitions === undefined) return status.lag;
  return greatestLag(status.partitions.filter((partition) => partition.here).map((partition) => partition.lag));
}

function judged(base: Pick<ProjectionReport, 'state' | 'partitions'>, lag: ProjectionLag, thresholds: LagThresholds): ProjectionReport {
  const problem = lagProblem(lag, thresholds);
  return { ...base, lag, ...(problem === undefined ? {} : { problem }) };
}

const withLag = (lag: ProjectionLag | undefined) => (lag === undefined ? {} : { lag });
