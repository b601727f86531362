import { NO_TELEMETRY } from './no-telemetry.js';
import type { Telemetry } from './telemetry.js';

/**
 * The telemetry of an EventStore, for the code built on it (the aggregate repositories) without a
 * public member on the store for it: an in-memory or hand-made store simply has none.
 */
const byOwner = new WeakMap<object, Telemetry>();

export function attachTelemetry(owner: object, telemetry: Telemetry): void {
  byOwner.set(owner, telemetry);
}

export function telemetryOf(owner: object): Telemetry {
  return byOwner.get(owner) ?? NO_TELEMETRY;
}
