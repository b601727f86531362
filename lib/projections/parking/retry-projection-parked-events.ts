import type { Logger } from '@nestjs/common';
import type { EventSourcingRuntime } from '../../event-sourcing-runtime.js';
import { EventStreamTable } from '../../event-store/event-stream-table.js';
import { storedPartitionCount } from '../inspection/stored-partition-count.js';
import { ProjectionStore } from '../projection-store.js';
import { parkedEventSource } from './parked-event-reader.js';
import { ParkedEventStore } from './parked-event-store.js';
import type { ParkedStreamMode, RetryHandlers } from './partition-parking.js';
import { retryParkedEvents, type RetryParkedOptions, type RetryParkedResult } from './retry-parked-events.js';

/**
 * `ProjectionManager.retryParked()`'s work: retries a projection's parked events over the app's
 * tables with `handlers` (the projection's), partition by partition as retryParkedEvents does, with
 * the partition count as stored.
 */
export async function retryProjectionParkedEvents(
  runtime: Pick<EventSourcingRuntime, 'client' | 'options' | 'registry'>,
  projection: { readonly name: string; readonly leaseTtlMs: number; readonly parkedStream?: ParkedStreamMode },
  handlers: RetryHandlers,
  logger: Logger,
  options: RetryParkedOptions = {},
): Promise<RetryParkedResult> {
  const { client, options: settings, registry } = runtime;
  const { projectionsTable, eventsTable, retry } = settings;
  const { partitions } = await storedPartitionCount(client, projectionsTable, retry, projection.name);
  return retryParkedEvents(
    {
      projection: projection.name,
      partitions,
      mode: projection.parkedStream ?? 'wait',
      leaseTtlMs: projection.leaseTtlMs,
      store: new ProjectionStore(client, projectionsTable, retry),
      parked: new ParkedEventStore(client, projectionsTable, retry),
      handlers,
      readEvent: parkedEventSource(new EventStreamTable(client, eventsTable, retry), registry, projection.name),
      logger,
    },
    options,
  );
}
