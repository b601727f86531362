/**
 * The names of the module's spans and of their attributes. Where OpenTelemetry's semantic
 * conventions name an attribute (database and DynamoDB ones, `error.type`), theirs is used; the
 * module's own attributes share the `nestjs_dynamo_es.` prefix.
 */

/** Every span the module starts: `nestjs-dynamo-es <operation>`. */
export const SpanName = {
  /** `EventStore.append` (and `AggregateRepository.save`'s append), from the checked input to the result. */
  append: 'nestjs-dynamo-es append',
  /** One commit's write at one position, with the module's retries of throttling and lost answers. */
  commitWrite: 'nestjs-dynamo-es commit write',
  /** An `EventStore.read`, from the first event asked for to the last one yielded. */
  read: 'nestjs-dynamo-es read',
  /** One page of `replay$`. */
  replayPage: 'nestjs-dynamo-es replay page',
  /** One page of `replayAll$` (the global feed). */
  feedPage: 'nestjs-dynamo-es feed page',
  snapshotSave: 'nestjs-dynamo-es snapshot save',
  snapshotLoad: 'nestjs-dynamo-es snapshot load',
  aggregateLoad: 'nestjs-dynamo-es aggregate load',
  aggregateSave: 'nestjs-dynamo-es aggregate save',
  /** One page of a projection's feed read: its handler calls and its checkpoint's save. */
  projectionPage: 'nestjs-dynamo-es projection page',
  /** One call of a projection's handler method. */
  projectionHandle: 'nestjs-dynamo-es projection handle',
  /** One batch of the feed indexer: change records read from the table's DynamoDB Stream, into the feed index. */
  feedIndex: 'nestjs-dynamo-es feed index',
} as const;

export type SpanName = (typeof SpanName)[keyof typeof SpanName];

/** Span attribute keys. */
export const SpanAttribute = {
  // OpenTelemetry semantic conventions (database, AWS DynamoDB, errors).
  /** `dynamodb`, as the 1.2x conventions say; `db.system.name` below is the newer key. */
  dbSystem: 'db.system',
  dbSystemName: 'db.system.name',
  tableNames: 'aws.dynamodb.table_names',
  /** The JSON of each `ConsumedCapacity` DynamoDB returned for the span's requests. */
  consumedCapacity: 'aws.dynamodb.consumed_capacity',
  errorType: 'error.type',
  // The module's own.
  /** The typed error's `code` (`CONCURRENCY`, `RETRIES_EXHAUSTED`, ...). */
  errorCode: 'nestjs_dynamo_es.error.code',
  /** The sum of the capacity units of `aws.dynamodb.consumed_capacity`. */
  capacityUnits: 'nestjs_dynamo_es.consumed_capacity.units',
  streamId: 'nestjs_dynamo_es.stream.id',
  expectedVersion: 'nestjs_dynamo_es.expected_version',
  firstVersion: 'nestjs_dynamo_es.version.first',
  lastVersion: 'nestjs_dynamo_es.version.last',
  eventCount: 'nestjs_dynamo_es.event.count',
  eventType: 'nestjs_dynamo_es.event.type',
  commitId: 'nestjs_dynamo_es.commit.id',
  /** `forward` or `backward`. */
  direction: 'nestjs_dynamo_es.read.direction',
  /** Write attempts of one commit at one position (1 unless retried). */
  attempts: 'nestjs_dynamo_es.commit.attempts',
  /** The commit's position was taken by another commit (the append then re-reads or fails with a ConcurrencyError). */
  positionTaken: 'nestjs_dynamo_es.commit.position_taken',
  /** True when the commit id was stored already: nothing was written. */
  duplicate: 'nestjs_dynamo_es.commit.duplicate',
  /** The module's own retries (throttling, lost answers, appends that lost a race), not the AWS SDK's. */
  retries: 'nestjs_dynamo_es.retries',
  itemCount: 'nestjs_dynamo_es.item.count',
  aggregate: 'nestjs_dynamo_es.aggregate.name',
  snapshotVersion: 'nestjs_dynamo_es.snapshot.version',
  snapshotRevision: 'nestjs_dynamo_es.snapshot.revision',
  snapshotBytes: 'nestjs_dynamo_es.snapshot.stored_bytes',
  projection: 'nestjs_dynamo_es.projection.name',
  partition: 'nestjs_dynamo_es.projection.partition',
  checkpoint: 'nestjs_dynamo_es.feed.checkpoint',
  /** The handler failed `maxAttempts` times in a row: the event is parked. */
  givenUp: 'nestjs_dynamo_es.projection.given_up',
  /** Index positions between the page and the index head as the read found it. */
  lagCommits: 'nestjs_dynamo_es.projection.lag.commits',
  /** Change records offered to the feed indexer (its reads of the DynamoDB Stream). */
  recordCount: 'nestjs_dynamo_es.feed.record_count',
  /** Commits written to the feed index. */
  commitCount: 'nestjs_dynamo_es.feed.commit_count',
  batchCount: 'nestjs_dynamo_es.feed.batch_count',
  indexPosition: 'nestjs_dynamo_es.feed.index_position',
} as const;

/** The instruments of the module's Meter (`nestjs-dynamo-es`). Units are UCUM, as OpenTelemetry asks. */
export const MetricName = {
  /** Histogram, ms: the duration of each append, failed ones included (with `error.type`). */
  appendDuration: 'nestjs_dynamo_es.append.duration',
  /** Counter: appends refused with a ConcurrencyError. */
  conflicts: 'nestjs_dynamo_es.append.conflicts',
  /** Counter: events written by appends (not by duplicates). */
  eventsAppended: 'nestjs_dynamo_es.events.appended',
  /** Counter: DynamoDB requests answered with throttling, each attempt (the AWS SDK's retries included). */
  throttles: 'nestjs_dynamo_es.dynamodb.throttles',
  /** Counter: the module's own retries (by `error.type`). */
  retries: 'nestjs_dynamo_es.retries',
  /** Gauge, commits: how far each projection (partition) of this instance is behind the feed index head. */
  projectionLagCommits: 'nestjs_dynamo_es.projection.lag.commits',
  /** Gauge, ms: the age of the oldest event a projection (partition) of this instance has not handled yet. */
  projectionLagAge: 'nestjs_dynamo_es.projection.lag.age',
} as const;

/** The instrumentation scope: the tracer's and the meter's name. */
export const INSTRUMENTATION_SCOPE = 'nestjs-dynamo-es';
