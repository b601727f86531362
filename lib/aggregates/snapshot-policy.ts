/** What a snapshot policy sees after a save or a load. */
export interface SnapshotPolicyContext<TAggregate = unknown> {
  readonly aggregate: TAggregate;
  /** The stream's version now. */
  readonly version: number;
  /** The version before the commit just saved (equal to `version` after a load). */
  readonly previousVersion: number;
  /** Version of the newest usable snapshot, 0 if none. */
  readonly snapshotVersion: number;
}

/** Decides whether to take a snapshot now. */
export type SnapshotPolicy<TAggregate = unknown> = (context: SnapshotPolicyContext<TAggregate>) => boolean;

/**
 * A snapshot every `n` events: taken whenever the stream's version reaches or jumps over a
 * multiple of `n` (a commit of 7 events from version 98 to 105 crosses 100), and whenever the
 * newest snapshot is `n` or more events behind (after a load that found none usable).
 */
export function everyNEvents(n: number): SnapshotPolicy {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`everyNEvents needs a whole number >= 1; got ${n}.`);
  return ({ version, previousVersion, snapshotVersion }) =>
    Math.floor(version / n) > Math.floor(previousVersion / n) || version - snapshotVersion >= n;
}
