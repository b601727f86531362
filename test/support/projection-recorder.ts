import { Injectable, Module } from '@nestjs/common';
import type { FeedEvent } from '../../lib/index.js';

/** `streamId@version` of an event. */
export const idOf = (event: { streamId: string; version: number }): string => `${event.streamId}@${event.version}`;

/**
 * What one app instance's projections handled, kept per instance (each testing module builds its
 * own), with hooks for making a handler fail or wait.
 */
@Injectable()
export class ProjectionRecorder {
  /** Every successful handling, in order (a redelivered event shows twice). */
  readonly handled: FeedEvent[] = [];
  /** Every call, failed ones included. */
  readonly attempts: string[] = [];
  /** Every failed call's event. */
  readonly failed: FeedEvent[] = [];
  /** Calls of reset(), failed ones included. */
  resets = 0;
  /** Throws for an event while this says so. */
  failWhen: (event: FeedEvent) => boolean = () => false;
  /** Holds the handler of an event until the returned promise settles. */
  holdWhen: (event: FeedEvent) => Promise<void> | undefined = () => undefined;
  /** Runs at the start of each reset(), before it empties `handled`; what it throws fails the reset. */
  onReset: () => Promise<void> | void = () => undefined;

  async record(event: FeedEvent): Promise<void> {
    this.attempts.push(idOf(event));
    if (this.failWhen(event)) {
      this.failed.push(event);
      throw new Error(`injected failure at ${idOf(event)}`);
    }
    await this.holdWhen(event);
    this.handled.push(event);
  }

  async reset(): Promise<void> {
    this.resets++;
    await this.onReset();
    this.handled.length = 0;
  }

  ids(): string[] {
    return this.handled.map(idOf);
  }
}

@Module({ providers: [ProjectionRecorder], exports: [ProjectionRecorder] })
export class ProjectionRecorderModule {}
