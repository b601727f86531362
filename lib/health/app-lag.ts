import { greatestLag, type AppLag } from './projection-health.js';
import { inspectProjection, type InspectionTarget } from '../projections/inspection/projection-inspector.js';

/**
 * A projection's lag across the whole app, from the tables (`lagScope: 'app'`): the greatest of
 * its partitions', whichever instance holds them. Reads the projection's items, the feed index
 * head, and the one index batch after the oldest checkpoint: enough for the greatest lag in
 * commits and in time (the oldest partition's), not for every partition's in time.
 */
export async function readAppLag(target: InspectionTarget, name: string): Promise<AppLag> {
  const inspection = await inspectProjection(target, name, { maxBatches: 1 });
  const unknown = inspection.partitions.find((partition) => partition.lagUnknown !== undefined)?.lagUnknown;
  const lag = greatestLag(inspection.partitions.map((partition) => (partition.lag === undefined ? undefined : { commits: partition.lag.commits, ms: partition.lag.ms })));
  return {
    rebuilding: inspection.partitions.some((partition) => partition.rebuilding),
    ...(lag === undefined ? {} : { lag }),
    ...(unknown === undefined ? {} : { unknown }),
  };
}
