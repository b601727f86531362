export type ReadDirection = 'forward' | 'backward';

export interface ReadOptions {
  /** First version to return (inclusive). Default 1. */
  fromVersion?: number;
  /** Last version to return (inclusive). Default: the end of the stream. */
  toVersion?: number;
  /** `forward` (oldest first, the default) or `backward` (newest first). */
  direction?: ReadDirection;
  /**
   * Items per DynamoDB Query request (its `Limit`). Small events are packed, so one item holds
   * one or more events. Default: as many as fit DynamoDB's 1 MB page.
   */
  pageSize?: number;
}
