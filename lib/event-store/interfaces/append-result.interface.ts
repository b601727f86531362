import type { EventEnvelope } from './event-envelope.interface.js';

export interface AppendResult<TEvent extends object = object> {
  readonly streamId: string;
  readonly commitId: string;
  /** The stream's version after the commit: the version of its last event. Pass it as the next expected version. */
  readonly version: number;
  /** The committed events, in version order. */
  readonly envelopes: ReadonlyArray<EventEnvelope<TEvent>>;
  /** True when the commit id was already stored: nothing was written by this call. */
  readonly duplicate: boolean;
}
