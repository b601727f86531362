import { describe, expect, it } from '@jest/globals';
import { MAX_FEED_PAGE_SIZE } from '../feed/resolve-feed-read-options.js';
import { MAX_PAGE_SIZE } from './feed.command.js';

describe('feed tail', () => {
  it('takes the page sizes the feed reader takes', () => {
    expect(MAX_PAGE_SIZE).toBe(MAX_FEED_PAGE_SIZE);
  });
});
