import type { DynamoDBClient, DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { FeedOptions } from '../feed/interfaces/feed-options.interface.js';
import type { ProjectionsModuleOptions } from '../projections/interfaces/projections-module-options.interface.js';
import type { RetryOptions } from '../event-store/retry-policy.js';
import type { BoundaryCacheOptions } from '../event-store/interfaces/boundary-cache-options.interface.js';
import type { SnapshotOptions } from '../snapshots/interfaces/snapshot-options.interface.js';
import type { EventRegistration } from '../serialization/event-type-registry.js';
import type { TableSetup } from '../tables/table-setup.js';
import type { TelemetryOptions } from '../telemetry/interfaces/telemetry-options.interface.js';
import type { PersonalDataOptions } from '../personal-data/interfaces/personal-data-options.interface.js';

import type { LifecycleOptions } from '../lifecycle/interfaces/lifecycle-options.interface.js';
/** Options of `DynamoEventSourcingModule.forRoot()` / `forRootAsync()`. */
export interface DynamoEventSourcingModuleOptions {
  /** A DynamoDB client to use as it is. The module never destroys a client it was given. */
  client?: DynamoDBClient;
  /** Config for a client the module creates (and destroys on shutdown). Ignored when `client` is set. */
  clientConfig?: DynamoDBClientConfig;
  /** Prepended to every table name, e.g. `'prod-'`. Default none. */
  tablePrefix?: string;
  /** Table names (before the prefix). */
  tables?: {
    /** Default `'events'`. */
    events?: string;
    /** Default `'snapshots'`. Only used (and set up at start-up) when `snapshots` is set. */
    snapshots?: string;
    /** Default `'projections'`. Only used (and set up at start-up) when the app registers projections. */
    projections?: string;
  };
  /** What to do with the tables at start-up: `'create'`, `'verify'` (default) or `'none'`. */
  tableSetup?: TableSetup;
  /** Event classes: `@EventType`-decorated classes, or `{ name, type, revision?, aliases?, serializer?, upcasters? }`. */
  events?: EventRegistration[];
  /** Backoff for throttling and transaction conflicts. */
  retry?: RetryOptions;
  /** Publish committed events on the @nestjs/cqrs EventBus. Default true. */
  publishEvents?: boolean;
  /**
   * Turns snapshots on: the snapshots table is then set up at start-up like the events table, and
   * the `SnapshotRepository` can be used. `{}` for the defaults (keep every snapshot, no time to live).
   */
  snapshots?: SnapshotOptions;
  /**
   * The global feed of all commits, read by `replayAll$` and projections: a sharded index on the
   * events table (one small index entry per commit, 1 write unit). Default on with
   * `{ shards: 4, settleMs: 2000 }`; `false` turns it off and leaves the index out of the table.
   */
  feed?: FeedOptions | false;
  /**
   * How long appends trust a stream end this process saw, instead of reading the stream's head.
   * Default `{ trustMs: 5000, maxStreams: 10000 }`. `false`: never trust it, one head read per
   * append (`NO_STREAM` and `0` included), for tables that are ever edited by hand or restored.
   */
  boundaryCache?: BoundaryCacheOptions | false;
  /** How projections (`forFeature({ projections })`) are run. Default `{ autoStart: true }`. */
  projections?: ProjectionsModuleOptions;
  /**
   * OpenTelemetry spans and metrics (see README, "OpenTelemetry"). Default: on, with OpenTelemetry's
   * global providers, when `@opentelemetry/api` is installed (without it, nothing is loaded or
   * recorded). `{ tracerProvider, meterProvider }` to use others; `false` to record nothing.
   */
  telemetry?: TelemetryOptions | false;
  /**
   * How deletions and retention are enforced (see README, "Deleting streams, retention and GDPR"):
   * the purge fence, and the clock `maxAge` is measured by.
   */
  lifecycle?: LifecycleOptions;
  /**
   * Crypto-shredding of personal data (see README, "Crypto-shredding"): event fields marked
   * `@PersonalData()` (or listed in `types`) are stored encrypted with a data key per subject, kept
   * in `keysTable` and wrapped by AWS KMS (`{ kmsKeyId }`) or a local key (`{ localKey }`, development);
   * `EventStore.forgetSubject(id)` deletes the key. Off when omitted.
   */
  personalData?: PersonalDataOptions;
}
