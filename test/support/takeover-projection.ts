import { Projection, ProjectionHandler, type FeedEvent } from '../../lib/index.js';
import { AccountOpened } from './events.js';

/** Name of the projection that the lease takeover tests hand from one app instance to another. */
export const TAKEOVER_PROJECTION = 'takeover';

/**
 * A projection class for lease takeover tests, with these lease settings: every app instance of a
 * test (the test process and a child process) builds its own, alike.
 */
export function takeoverProjection(options: { leaseTtlMs: number; pollIntervalMs: number }) {
  @Projection(TAKEOVER_PROJECTION, options)
  class TakeoverProjection {
    readonly handled: string[] = [];

    @ProjectionHandler(AccountOpened)
    on(_event: AccountOpened, envelope: FeedEvent): void {
      this.handled.push(`${envelope.streamId}@${envelope.version}`);
    }
  }
  return TakeoverProjection;
}
