import { SpanAttribute as A } from './span-names.js';
import type { TelemetryAttributes } from './telemetry.js';

/**
 * The attributes of the module's spans, built from values the traced code has at hand. Kept here so
 * that the logic files only name the operation; each is called only when its span records.
 */

/** A version bound, left out when it is the open end of a range. */
const bound = (version: number): number | undefined => (version < Number.MAX_SAFE_INTEGER ? version : undefined);

export const streamAttributes = (streamId: string): TelemetryAttributes => ({ [A.streamId]: streamId });

export const readAttributes = (streamId: string, fromVersion: number, toVersion: number, direction: string): TelemetryAttributes => ({
  [A.streamId]: streamId,
  [A.firstVersion]: fromVersion,
  [A.lastVersion]: bound(toVersion),
  [A.direction]: direction,
});

export const commitWriteAttributes = (streamId: string, commitId: string, start: number, items: number): TelemetryAttributes => ({
  [A.streamId]: streamId,
  [A.commitId]: commitId,
  [A.firstVersion]: start,
  [A.itemCount]: items,
});

/** What an append (or an aggregate save) wrote; nothing when it had nothing to write. */
export const appendResultAttributes = (result: { streamId: string; commitId: string; version: number; duplicate: boolean } | undefined): TelemetryAttributes =>
  result === undefined ? {} : { [A.streamId]: result.streamId, [A.commitId]: result.commitId, [A.lastVersion]: result.version, [A.duplicate]: result.duplicate };

export const snapshotAttributes = (streamId: string, version?: number, revision?: number): TelemetryAttributes => ({
  [A.streamId]: streamId,
  [A.snapshotVersion]: version,
  [A.snapshotRevision]: revision,
});

/** A loaded snapshot's version, revision and size; nothing when there was none. */
export const loadedSnapshotAttributes = (snapshot: { version: number; revision: number; storedBytes?: number } | undefined): TelemetryAttributes =>
  snapshot === undefined ? {} : { [A.snapshotVersion]: snapshot.version, [A.snapshotRevision]: snapshot.revision, [A.snapshotBytes]: snapshot.storedBytes };

export const aggregateAttributes = (aggregate: string, streamId?: string): TelemetryAttributes => ({ [A.aggregate]: aggregate, [A.streamId]: streamId });

/** A projection page: the projection, the partition (with several), where the page starts, its events, the lag it found. */
export const projectionPageAttributes = (
  projection: string,
  partition: number | undefined,
  from: string | undefined,
  events: number,
  lagCommits: number | undefined,
): TelemetryAttributes => ({
  [A.projection]: projection,
  [A.partition]: partition,
  [A.checkpoint]: from,
  [A.eventCount]: events,
  [A.lagCommits]: lagCommits,
});

/** One handler call: the event it is given. */
export const handlerAttributes = (
  projection: string,
  event: { eventType: string; streamId: string; version: number; checkpoint: string },
): TelemetryAttributes => ({
  [A.projection]: projection,
  [A.eventType]: event.eventType,
  [A.streamId]: event.streamId,
  [A.firstVersion]: event.version,
  [A.checkpoint]: event.checkpoint,
});

/**
 * A handler call that resolved with an error was given up on (the event is parked): marked failed
 * like a throw (`error.type` makes the span's status ERROR), with `given_up`.
 */
export const handlerOutcomeAttributes = (givenUp: { name: string; code: string } | undefined): TelemetryAttributes =>
  givenUp === undefined ? {} : { [A.errorType]: givenUp.name, [A.errorCode]: givenUp.code, [A.givenUp]: true };
