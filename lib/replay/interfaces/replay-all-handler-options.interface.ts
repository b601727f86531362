import type { ReplayAllOptions } from '../../feed/interfaces/replay-all-options.interface.js';
import type { EventTypeList } from './selected-event.interface.js';

/** Options of {@link EventStore.replayAll}: those of `replayAll$`, and a signal to stop early. */
export interface ReplayAllHandlerOptions<TTypes extends EventTypeList = EventTypeList> extends ReplayAllOptions<TTypes> {
  /**
   * Stops the replay when aborted: no further event is handed to the handler and no further page
   * is read; the promise rejects with `signal.reason` once the handler call under way (if any)
   * has settled. An already aborted signal rejects before anything is read.
   */
  signal?: AbortSignal;
}
