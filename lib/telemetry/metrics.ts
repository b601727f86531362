import { ValueType, type Counter, type Histogram, type Meter, type ObservableGauge } from '@opentelemetry/api';
import { MetricName } from './span-names.js';

/** The module's instruments, created once per module instance from its Meter. */
export interface Instruments {
  readonly appendDuration: Histogram;
  readonly conflicts: Counter;
  readonly eventsAppended: Counter;
  readonly throttles: Counter;
  readonly retries: Counter;
  readonly lagCommits: ObservableGauge;
  readonly lagAge: ObservableGauge;
}

/** Append durations are a few ms on DynamoDB: finer buckets than the SDK's default (which start at 5 ms). */
const APPEND_DURATION_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_500, 5_000, 10_000];

/** Creates the instruments (names and units as OpenTelemetry's conventions ask: dotted names, UCUM units). */
export function createInstruments(meter: Meter): Instruments {
  return {
    appendDuration: meter.createHistogram(MetricName.appendDuration, {
      unit: 'ms',
      description: 'Duration of EventStore appends (failed ones carry error.type).',
      advice: { explicitBucketBoundaries: APPEND_DURATION_BUCKETS },
    }),
    conflicts: meter.createCounter(MetricName.conflicts, { unit: '{conflict}', description: 'Appends refused with a ConcurrencyError.', valueType: ValueType.INT }),
    eventsAppended: meter.createCounter(MetricName.eventsAppended, { unit: '{event}', description: 'Events written by appends (duplicates excluded).', valueType: ValueType.INT }),
    throttles: meter.createCounter(MetricName.throttles, { unit: '{request}', description: 'DynamoDB request attempts answered with throttling.', valueType: ValueType.INT }),
    retries: meter.createCounter(MetricName.retries, { unit: '{retry}', description: "The module's own retries, by error.type.", valueType: ValueType.INT }),
    lagCommits: meter.createObservableGauge(MetricName.projectionLagCommits, {
      unit: '{commit}',
      description: 'Feed index positions between a projection (partition) of this instance and the index head.',
      valueType: ValueType.INT,
    }),
    lagAge: meter.createObservableGauge(MetricName.projectionLagAge, {
      unit: 'ms',
      description: 'Age of the oldest event a projection (partition) of this instance has not handled yet; 0 when caught up.',
    }),
  };
}
