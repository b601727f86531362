/**
 * Sort keys of the snapshots table (see SnapshotItemAttribute). Numbers are zero-padded to 16
 * digits, the length of Number.MAX_SAFE_INTEGER, so that string order is numeric order.
 */

const SNAPSHOT_PREFIX = 's#';
const PART_PREFIX = 'p#';

const pad = (n: number): string => String(n).padStart(16, '0');

/** The sort key of the snapshot item of `version` and `revision`. */
export function snapshotKey(version: number, revision: number): string {
  return `${SNAPSHOT_PREFIX}${pad(version)}#${pad(revision)}`;
}

/** The sort key of part `index` (from 0) of the snapshot whose parts are `partsId`. */
export function partKey(version: number, partsId: string, index: number): string {
  return `${PART_PREFIX}${pad(version)}#${partsId}#${index}`;
}

/** Bounds of the sort keys of the snapshot items at or below `version` (of any revision); `~` sorts after every digit. */
export function snapshotKeyRange(atOrBelowVersion?: number): { lower: string; upper: string } {
  return { lower: SNAPSHOT_PREFIX, upper: atOrBelowVersion === undefined ? `${SNAPSHOT_PREFIX}~` : `${SNAPSHOT_PREFIX}${pad(atOrBelowVersion)}#~` };
}

export function isSnapshotKey(sortKey: string): boolean {
  return sortKey.startsWith(SNAPSHOT_PREFIX);
}
