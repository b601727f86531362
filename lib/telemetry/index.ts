export { SpanAttribute, SpanName, MetricName, INSTRUMENTATION_SCOPE } from './span-names.js';
export type { TelemetryOptions, TracerProviderLike, MeterProviderLike } from './interfaces/telemetry-options.interface.js';
