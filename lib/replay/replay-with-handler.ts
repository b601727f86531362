import type { ReplayAllOptions } from '../feed/interfaces/replay-all-options.interface.js';
import type { ReplayAllHandlerOptions } from './interfaces/replay-all-handler-options.interface.js';
import type { ReplayAllResult } from './interfaces/replay-all-result.interface.js';
import type { ReplayHandlerOptions } from './interfaces/replay-handler-options.interface.js';
import type { ReplayOptions } from './interfaces/replay-options.interface.js';
import type { ReplayResult } from './interfaces/replay-result.interface.js';
import { assertReplayHandler, takeSignal } from './replay-handler-arguments.js';
import { handlePages, type FeedReplayPage, type StreamReplay } from './replay-pages.js';

/**
 * `replay()` of either store: the handler and signal checked, then the stream's pages (from the
 * store's `replay`, given the options without the signal) handled one event at a time.
 */
export async function replayWithHandler<TEvent extends object>(
  replay: (options: ReplayOptions) => StreamReplay<TEvent>,
  handler: (envelope: never) => unknown,
  options: ReplayHandlerOptions,
): Promise<ReplayResult> {
  assertReplayHandler(handler, 'replay()');
  const { signal, rest } = takeSignal(options);
  const { fromVersion, pages } = replay(rest);
  const { eventsHandled, lastPage } = await handlePages(pages(), handler as (envelope: unknown) => unknown, signal);
  return { eventsHandled, lastVersion: lastPage?.lastVersion ?? fromVersion - 1 };
}

/** `replayAll()` of either store, as {@link replayWithHandler} for the feed's pages. */
export async function replayAllWithHandler<TEvent extends object>(
  replay: (options: ReplayAllOptions) => () => AsyncGenerator<FeedReplayPage<TEvent>>,
  handler: (envelope: never) => unknown,
  options: ReplayAllHandlerOptions,
): Promise<ReplayAllResult> {
  assertReplayHandler(handler, 'replayAll()');
  const { signal, rest } = takeSignal(options);
  const pages = replay(rest);
  const { eventsHandled, lastPage } = await handlePages(pages(), handler as (envelope: unknown) => unknown, signal);
  // A read that was not stopped ends with its caught-up page, whose checkpoint is the head it went to.
  return { eventsHandled, checkpoint: lastPage!.checkpoint };
}
