/**
 * How code far below a traced operation (a DynamoDB request's middleware, a retry loop) tells that
 * operation what happened, without being handed the span: the OpenTelemetry adapter keeps the
 * operation in OpenTelemetry's active context and installs a reader for it here when it loads.
 * Until then (no telemetry, or no `@opentelemetry/api`), `activeOperation()` is one check of an
 * unset variable.
 */

/** The traced operation a request belongs to (the innermost one; it passes what it hears to its parents). */
export interface ActiveOperation {
  /** Whether its span records, i.e. whether what follows is worth asking DynamoDB for. */
  readonly recording: boolean;
  /** The module retried a request (or an append that lost a race) after `reason` (an error's name). */
  retried(reason: string): void;
  /** A request was answered with throttling (each attempt, the AWS SDK's own retries included). */
  throttled(reason: string): void;
  /** A request's `ConsumedCapacity` (one entry, or one per table), and the tables it named. */
  consumed(capacity: readonly object[], tables: readonly string[]): void;
}

let reader: (() => ActiveOperation | undefined) | undefined;

/** Installed once by the OpenTelemetry adapter: the operation in OpenTelemetry's active context. */
export function readActiveOperationWith(read: () => ActiveOperation | undefined): void {
  reader = read;
}

/** The traced operation the current code runs in, if any. */
export function activeOperation(): ActiveOperation | undefined {
  return reader?.();
}

/** Counts a retry of the module's own (not the AWS SDK's) on the operation in progress, if any. */
export function noteRetry(reason: string): void {
  reader?.()?.retried(reason);
}
