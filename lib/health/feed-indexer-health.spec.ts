import { describe, expect, it } from '@jest/globals';
import { assessFeedIndexer } from './feed-indexer-health.js';

describe('assessFeedIndexer', () => {
  it('is down only while failing, with its last error', () => {
    expect(assessFeedIndexer({ state: 'failing', lastPosition: 3, lastError: new Error('stream gone') })).toEqual({
      healthy: false,
      report: { state: 'failing', lastPosition: 3, message: 'The feed indexer is failing (retried with backoff): stream gone' },
    });
    expect(assessFeedIndexer({ state: 'indexing', lastPosition: 3 })).toEqual({ healthy: true, report: { state: 'indexing', lastPosition: 3 } });
  });

  it('is up with a note on standby, or when the app does not run it', () => {
    expect(assessFeedIndexer({ state: 'standby', lastPosition: 0 }).report.note).toMatch(/another instance/);
    expect(assessFeedIndexer(undefined)).toMatchObject({ healthy: true, report: { state: 'not-run-here' } });
  });
});
