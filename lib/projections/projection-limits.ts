/**
 * The defaults and limits of a projection's options, without NestJS: `@Projection` (through
 * projection-definitions.ts) and `nestjs-dynamo-es/lambda`'s event handlers function (which must
 * not load NestJS when the package entry is imported) check names and numbers against the same values.
 */

/** Options a `@Projection` leaves out. */
export const DEFAULT_PROJECTION_OPTIONS = { pageSize: 100, pollIntervalMs: 200, leaseTtlMs: 15_000 } as const;

/** Each partition is an item, a lease and a reader of the index: a few hundred is already far more than instances. */
export const MAX_PARTITIONS = 256;

/** Timers take at most 2^31 - 1 ms; a day is far more than any sensible interval. */
export const MAX_INTERVAL_MS = 86_400_000;

/** A shorter lease would lapse between two DynamoDB round trips under load. */
export const MIN_LEASE_TTL_MS = 100;

/** A projection's name: it keys the stored checkpoint and lease, so printable and short, for readable logs and items. */
export const PROJECTION_NAME_PATTERN = /^[A-Za-z0-9_.:-]{1,200}$/;
