import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { eventIdSequence } from '../serialization/event-id.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import type { EventEnvelope } from './interfaces/event-envelope.interface.js';

/** One stored item of the events table, decoded (see EventItemAttribute for the layout). */
export interface StoredEventItem {
  streamId: string;
  version: number;
  lastVersion: number;
  commitId: string;
  committedAt: number;
  firstEventId: string;
  events: string;
  metadata?: string;
  commitLastVersion?: number;
}

/** What identifies an item and its commit, without the events. */
export type EventItemHeader = Pick<StoredEventItem, 'streamId' | 'version' | 'lastVersion' | 'commitId' | 'commitLastVersion'>;

export function decodeItemHeader(item: Record<string, AttributeValue>): EventItemHeader {
  return {
    streamId: item[A.streamId]!.S!,
    version: Number(item[A.version]!.N),
    lastVersion: Number(item[A.lastVersion]!.N),
    commitId: item[A.commitId]!.S!,
    commitLastVersion: item[A.commitLastVersion] === undefined ? undefined : Number(item[A.commitLastVersion].N),
  };
}

/** Decodes a raw item by hand (rather than unmarshall()): reads run this once per item. */
export function decodeEventItem(item: Record<string, AttributeValue>): StoredEventItem {
  const commitId = item[A.commitId]!.S!;
  return {
    streamId: item[A.streamId]!.S!,
    version: Number(item[A.version]!.N),
    lastVersion: Number(item[A.lastVersion]!.N),
    commitId,
    committedAt: Number(item[A.committedAt]!.N),
    firstEventId: item[A.firstEventId]?.S ?? commitId,
    events: item[A.events]!.S!,
    metadata: item[A.metadata]?.S,
    commitLastVersion: item[A.commitLastVersion] === undefined ? undefined : Number(item[A.commitLastVersion].N),
  };
}

/** The last version of the commit an item belongs to (a split commit spans several items). */
export const commitEnd = (item: Pick<StoredEventItem, 'lastVersion' | 'commitLastVersion'>): number =>
  item.commitLastVersion ?? item.lastVersion;

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/** The envelopes of an item whose versions fall in [from, to], in version order. */
export function envelopesOf(item: StoredEventItem, registry: EventTypeRegistry, from = item.version, to = item.lastVersion): EventEnvelope[] {
  const entries = JSON.parse(item.events) as Array<{ type: string; data: object }>;
  const idAt = eventIdSequence(item.firstEventId);
  const metadata = item.metadata === undefined ? NO_METADATA : Object.freeze(JSON.parse(item.metadata) as Record<string, unknown>);
  const first = Math.max(from, item.version);
  const last = Math.min(to, item.lastVersion);
  const envelopes: EventEnvelope[] = [];
  for (let version = first; version <= last; version++) {
    const offset = version - item.version;
    const { type, data } = entries[offset]!;
    envelopes.push({
      event: registry.instantiate(type, data, { streamId: item.streamId, version }),
      eventType: type,
      eventId: idAt(offset),
      streamId: item.streamId,
      version,
      occurredAt: new Date(item.committedAt),
      commitId: item.commitId,
      metadata,
    });
  }
  return envelopes;
}
