import type { Telemetry } from './telemetry.js';

/**
 * Telemetry that records nothing: with `telemetry: false`, or when `@opentelemetry/api` is not
 * installed. Each wrapper only calls through: one function call per operation, no allocation.
 */
export const NO_TELEMETRY: Telemetry = {
  enabled: false,
  trace: (_name, _attributes, run) => run(),
  traceAppend: (_facts, run) => run(),
  traceReading: (_name, _attributes, read) => read(),
  tracePages: (_name, _attributes, pages) => pages,
  observeProjections: () => () => undefined,
};
