import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { eventIdSequence } from '../serialization/event-id.js';
import { EventItemAttribute as A } from '../tables/events-table.js';
import type { EventTypeRegistry } from '../serialization/event-type-registry.js';
import { parseCommitMetadata } from '../metadata/commit-metadata.js';
import { rememberEnvelope } from '../metadata/envelope-of.js';
import { openPersonalData } from '../personal-data/personal-data-opener.js';
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
  /** Only on a deletion's tombstone: how the stream was deleted (see lib/lifecycle). */
  deleted?: 'soft' | 'hard';
  /** Only on a purge stub (see lib/lifecycle): it stands for purged versions and holds no events. */
  purged?: true;
}

/** What identifies an item and its commit, without the events. */
export type EventItemHeader = Pick<StoredEventItem, 'streamId' | 'version' | 'lastVersion' | 'commitId' | 'committedAt' | 'commitLastVersion' | 'deleted' | 'purged'>;

export function decodeItemHeader(item: Record<string, AttributeValue>): EventItemHeader {
  return {
    streamId: item[A.streamId]!.S!,
    version: Number(item[A.version]!.N),
    lastVersion: Number(item[A.lastVersion]!.N),
    commitId: item[A.commitId]!.S!,
    committedAt: Number(item[A.committedAt]!.N),
    commitLastVersion: item[A.commitLastVersion] === undefined ? undefined : Number(item[A.commitLastVersion].N),
    ...(item[A.deleted] === undefined ? {} : { deleted: item[A.deleted].S as 'soft' | 'hard' }),
    ...(item[A.purged]?.BOOL === true ? { purged: true as const } : {}),
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
    ...(item[A.deleted] === undefined ? {} : { deleted: item[A.deleted].S as 'soft' | 'hard' }),
    ...(item[A.purged]?.BOOL === true ? { purged: true as const } : {}),
  };
}

/** The last version of the commit an item belongs to (a split commit spans several items). */
export const commitEnd = (item: Pick<StoredEventItem, 'lastVersion' | 'commitLastVersion'>): number =>
  item.commitLastVersion ?? item.lastVersion;

/**
 * One event's entry in an item's `events` JSON array; `rev` is there only for revisions above 1,
 * `dates` (the paths of the data's Dates) only when it held any.
 */
interface StoredEntry {
  type: string;
  rev?: number;
  data: object;
  dates?: unknown;
}

/**
 * The envelopes of an item whose versions fall in [from, to], in version order. Each event is
 * upcast only if stored at an older revision, and remembered for `envelopeOf`.
 */
export function envelopesOf(
  item: StoredEventItem,
  registry: EventTypeRegistry,
  from = item.version,
  to = item.lastVersion,
  /** Decodes only the events whose stored type name passes; the others are skipped undecoded. */
  include?: (storedType: string) => boolean,
  /** For the feed: each envelope gets a `checkpoint`, built in place rather than copied in afterwards. */
  checkpointOf?: (version: number) => string,
): EventEnvelope[] {
  const entries = JSON.parse(item.events) as StoredEntry[];
  const idAt = eventIdSequence(item.firstEventId);
  const { metadata, correlationId, causationId } = parseCommitMetadata(item.metadata);
  const first = Math.max(from, item.version);
  const last = Math.min(to, item.lastVersion);
  const envelopes: EventEnvelope[] = [];
  for (let version = first; version <= last; version++) {
    const offset = version - item.version;
    const { type, rev, data, dates } = entries[offset]!;
    if (include !== undefined && !include(type)) continue;
    const registered = registry.resolve(type, item.streamId, version);
    // Personal data: each sealed field opened, or REDACTED for a forgotten subject (keys fetched with the item's page).
    const opened = openPersonalData(item, version, data, dates, registered);
    const envelope: EventEnvelope & { checkpoint?: string } = {
      event: registered.decode(opened.data as object, rev, item.streamId, version, opened.dates),
      eventType: registered.name,
      eventId: idAt(offset),
      streamId: item.streamId,
      version,
      occurredAt: new Date(item.committedAt),
      commitId: item.commitId,
      correlationId,
      causationId,
      metadata,
    };
    if (checkpointOf !== undefined) envelope.checkpoint = checkpointOf(version);
    rememberEnvelope(envelope);
    envelopes.push(envelope);
  }
  return envelopes;
}

/** An event {@link envelopesOrFailuresOf} could not decode: its envelope without the event, and the error. */
export interface UndecodableEnvelope extends Omit<EventEnvelope, 'event'> {
  readonly event: undefined;
  readonly undecodable: Error;
  readonly checkpoint?: string;
}

/**
 * As {@link envelopesOf}, but an event that cannot be decoded (unknown type, failing upcaster,
 * corrupt entry) comes out as an {@link UndecodableEnvelope} in its place rather than failing the
 * whole item: a projection counts it as a failed attempt and parks it like a failing handler's.
 */
export function envelopesOrFailuresOf(
  item: StoredEventItem,
  registry: EventTypeRegistry,
  from = item.version,
  to = item.lastVersion,
  include?: (storedType: string) => boolean,
  checkpointOf?: (version: number) => string,
): Array<EventEnvelope | UndecodableEnvelope> {
  try {
    return envelopesOf(item, registry, from, to, include, checkpointOf);
  } catch {
    // Decoded one event at a time, to tell the undecodable ones from the others.
  }
  let entries: unknown[] | undefined;
  try {
    const parsed: unknown = JSON.parse(item.events);
    if (Array.isArray(parsed)) entries = parsed;
  } catch {
    entries = undefined;
  }
  const idAt = eventIdSequence(item.firstEventId);
  const envelopes: Array<EventEnvelope | UndecodableEnvelope> = [];
  for (let version = Math.max(from, item.version); version <= Math.min(to, item.lastVersion); version++) {
    const entry = entries?.[version - item.version] as Partial<StoredEntry> | undefined;
    const storedType = typeof entry?.type === 'string' ? entry.type : undefined;
    if (storedType !== undefined && include !== undefined && !include(storedType)) continue;
    try {
      envelopes.push(...envelopesOf(item, registry, version, version, include, checkpointOf));
    } catch (error) {
      envelopes.push({
        event: undefined,
        undecodable: error instanceof Error ? error : new Error(String(error)),
        eventType: storedType ?? '(unreadable entry)',
        eventId: idAt(version - item.version),
        streamId: item.streamId,
        version,
        occurredAt: new Date(item.committedAt),
        commitId: item.commitId,
        correlationId: undefined,
        causationId: undefined,
        metadata: {},
        ...(checkpointOf === undefined ? {} : { checkpoint: checkpointOf(version) }),
      } as UndecodableEnvelope);
    }
  }
  return envelopes;
}
