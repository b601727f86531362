/**
 * Correlation and causation ids travel in the commit's metadata JSON (stored once per item, like the
 * app's metadata) under reserved keys, short because they are stored with every item that has them.
 * Reads take them out, so the app's map never shows them.
 */
export const CORRELATION_ID_KEY = '$corr';
export const CAUSATION_ID_KEY = '$cause';

/** A commit's metadata as envelopes hand it out. */
export interface CommitMetadata {
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly correlationId: string | undefined;
  readonly causationId: string | undefined;
}

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});
const NONE: CommitMetadata = Object.freeze({ metadata: NO_METADATA, correlationId: undefined, causationId: undefined });

/** The object stored as a commit's metadata, or undefined when there is nothing to store. */
export function commitMetadataToStore(
  appMetadata: Record<string, unknown> | undefined,
  correlationId: string | undefined,
  causationId: string | undefined,
): Record<string, unknown> | undefined {
  if (correlationId === undefined && causationId === undefined) return appMetadata;
  const stored: Record<string, unknown> = { ...appMetadata };
  if (correlationId !== undefined) stored[CORRELATION_ID_KEY] = correlationId;
  if (causationId !== undefined) stored[CAUSATION_ID_KEY] = causationId;
  return stored;
}

/** Decodes a stored commit metadata JSON: the app's map (frozen) and the ids. */
export function parseCommitMetadata(json: string | undefined): CommitMetadata {
  if (json === undefined) return NONE;
  const metadata = JSON.parse(json) as Record<string, unknown>;
  const correlationId = metadata[CORRELATION_ID_KEY];
  const causationId = metadata[CAUSATION_ID_KEY];
  if (correlationId !== undefined) delete metadata[CORRELATION_ID_KEY];
  if (causationId !== undefined) delete metadata[CAUSATION_ID_KEY];
  return {
    metadata: Object.freeze(metadata),
    correlationId: typeof correlationId === 'string' ? correlationId : undefined,
    causationId: typeof causationId === 'string' ? causationId : undefined,
  };
}

/** Whether an app metadata map uses a key reserved for the ids. */
export function usesReservedKey(metadata: Record<string, unknown>): string | undefined {
  if (Object.hasOwn(metadata, CORRELATION_ID_KEY)) return CORRELATION_ID_KEY;
  if (Object.hasOwn(metadata, CAUSATION_ID_KEY)) return CAUSATION_ID_KEY;
  return undefined;
}
