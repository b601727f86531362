import type { FeedCheckpoint, FeedEvent } from '../../../../lib/index.js';

/** Where an app keeps its read model and the feed checkpoint it has reached. */
export declare function loadMyCheckpoint(): Promise<FeedCheckpoint | undefined>;
export declare function saveMyCheckpoint(checkpoint: FeedCheckpoint): Promise<void>;
export declare function applyToReadModel(event: object, envelope: FeedEvent): Promise<void>;
