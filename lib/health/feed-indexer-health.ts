import type { FeedIndexerStatus } from '../feed/indexer/feed-indexer.js';
import type { FeedIndexerReport } from './interfaces/health-report.interface.js';

const NOTES: Record<string, string> = {
  'not-run-here': 'this app does not run the feed indexer (feed.indexer: false, or no feed): it runs elsewhere, or not at all',
  standby: 'another instance indexes; this one takes over if it goes away',
  stopped: 'not started yet, or stopped',
  reconciling: 'recovering commits the stream no longer holds from the table',
};

/**
 * Judges the in-app feed indexer from its status in this instance (undefined: the app does not run
 * it): down only while `failing` (it retries with backoff; `message` is its last error), up
 * otherwise, with a note when it is not indexing here. Pure.
 */
export function assessFeedIndexer(status: FeedIndexerStatus | undefined): { healthy: boolean; report: FeedIndexerReport } {
  if (status === undefined) return { healthy: true, report: { state: 'not-run-here', note: NOTES['not-run-here'] } };
  const base = { state: status.state, lastPosition: status.lastPosition };
  if (status.state === 'failing') {
    return { healthy: false, report: { ...base, message: `The feed indexer is failing (retried with backoff): ${status.lastError?.message ?? 'no error recorded'}` } };
  }
  const note = NOTES[status.state];
  return { healthy: true, report: note === undefined ? base : { ...base, note } };
}
