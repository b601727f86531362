/**
 * An OpenTelemetry `TracerProvider` (from `@opentelemetry/api`), typed by its shape so that the
 * module's typings do not require the API to be installed.
 */
export interface TracerProviderLike {
  getTracer(name: string, version?: string, options?: object): object;
}

/** An OpenTelemetry `MeterProvider` (from `@opentelemetry/api`), typed by its shape. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string, options?: object): object;
}

/**
 * The module's `telemetry` option: where its spans and metrics go. Both default to OpenTelemetry's
 * global providers (the ones the OpenTelemetry SDK registers), when `@opentelemetry/api` is installed.
 * Spans nest under the caller's active span only with a context manager registered (the Node SDK
 * registers one).
 */
export interface TelemetryOptions {
  /** Default: the global tracer provider. */
  tracerProvider?: TracerProviderLike;
  /** Default: the global meter provider (as registered when the module starts). */
  meterProvider?: MeterProviderLike;
}
