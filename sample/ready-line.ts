/** How long the parts of start-up took, as `npm start` and `npm run demo` measure them. */
export interface StartUpDurations {
  /** Starting DynamoDB Local, or reaching the one DYNAMODB_ENDPOINT names. */
  readonly dynamoDbMs: number;
  /** Creating the app (its tables, the read model's rebuild) until it listens. */
  readonly appMs: number;
  /** Whether DynamoDB Local was started for the run. */
  readonly embedded: boolean;
}

/**
 * The start-up line both entry points print, e.g.
 * `Ready in 4.2 s: DynamoDB Local started in 1.9 s, the app (tables, read model) in 1.1 s.`
 * The total counts from the process's start (`performance.now()`'s origin), so loading the code counts too.
 */
export function readyLine({ dynamoDbMs, appMs, embedded }: StartUpDurations): string {
  return `Ready in ${seconds(performance.now())}: ${embedded ? 'DynamoDB Local started' : 'DynamoDB answered'} in ${seconds(dynamoDbMs)}, the app (tables, read model) in ${seconds(appMs)}.`;
}

/** A duration for people: `2.4 s`. */
function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
