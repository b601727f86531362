import type { ReplayOptions } from './replay-options.interface.js';
import type { EventTypeList } from './selected-event.interface.js';

/** Options of {@link EventStore.replay}: those of `replay$`, and a signal to stop early. */
export interface ReplayHandlerOptions<TTypes extends EventTypeList = EventTypeList> extends ReplayOptions<TTypes> {
  /**
   * Stops the replay when aborted: no further event is handed to the handler and no further page
   * is read; the promise rejects with `signal.reason` once the handler call under way (if any)
   * has settled. An already aborted signal rejects before anything is read.
   */
  signal?: AbortSignal;
}
