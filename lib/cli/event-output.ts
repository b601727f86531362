import type { EventEnvelope } from '../event-store/interfaces/event-envelope.interface.js';
import { RawEvent } from './raw-event-registry.js';

/** One stored event as the CLI prints it (`--json` prints exactly this, one object per line). */
export interface EventRecord {
  readonly streamId: string;
  readonly version: number;
  readonly type: string;
  /** The schema revision it was stored at (1 unless the app raised it). */
  readonly revision: number;
  readonly eventId: string;
  /** Commit time, ISO 8601. */
  readonly occurredAt: string;
  readonly commitId: string;
  readonly correlationId?: string;
  readonly causationId?: string;
  /** The commit's app metadata; omitted when empty. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The stored JSON data, as stored (not upcast). */
  readonly data: unknown;
  /** For feed events: where to resume after it (`feed tail --from`). */
  readonly checkpoint?: string;
}

/** The record of an envelope read through the raw registry. */
export function eventRecord(envelope: EventEnvelope & { readonly checkpoint?: string }): EventRecord {
  const event = envelope.event instanceof RawEvent ? envelope.event : new RawEvent(envelope.eventType, 1, envelope.event);
  return {
    streamId: envelope.streamId,
    version: envelope.version,
    type: event.type,
    revision: event.revision,
    eventId: envelope.eventId,
    occurredAt: envelope.occurredAt.toISOString(),
    commitId: envelope.commitId,
    correlationId: envelope.correlationId,
    causationId: envelope.causationId,
    metadata: Object.keys(envelope.metadata).length === 0 ? undefined : envelope.metadata,
    data: event.data,
    checkpoint: envelope.checkpoint,
  };
}

/**
 * One line for people: `v3  MoneyDeposited  2025-01-02T03:04:05.678Z  commit <id>  {"amount":5}`, with
 * the stream first for feed events, the revision when above 1, the ids and metadata when there are
 * any, and the checkpoint last.
 */
export function eventLine(record: EventRecord, withStream: boolean): string {
  const parts = [
    withStream ? `${record.streamId} v${record.version}` : `v${record.version}`,
    record.revision > 1 ? `${record.type} (rev ${record.revision})` : record.type,
    record.occurredAt,
    `commit ${record.commitId}`,
    JSON.stringify(record.data),
  ];
  if (record.correlationId !== undefined) parts.push(`correlation ${record.correlationId}`);
  if (record.causationId !== undefined) parts.push(`causation ${record.causationId}`);
  if (record.metadata !== undefined) parts.push(`metadata ${JSON.stringify(record.metadata)}`);
  if (record.checkpoint !== undefined) parts.push(`checkpoint ${record.checkpoint}`);
  return parts.join('  ');
}
