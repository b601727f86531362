import type { AppendResult } from './interfaces/append-result.interface.js';
import type { EventEnvelope } from './interfaces/event-envelope.interface.js';

/** An {@link AppendResult} whose envelopes are built on first use: most callers only need the version. */
export class CommittedAppend<TEvent extends object> implements AppendResult<TEvent> {
  #envelopes?: ReadonlyArray<EventEnvelope<TEvent>>;
  readonly #build: () => ReadonlyArray<EventEnvelope<TEvent>>;

  constructor(
    readonly streamId: string,
    readonly commitId: string,
    readonly version: number,
    readonly duplicate: boolean,
    envelopes: () => ReadonlyArray<EventEnvelope<TEvent>>,
  ) {
    this.#build = envelopes;
  }

  get envelopes(): ReadonlyArray<EventEnvelope<TEvent>> {
    return (this.#envelopes ??= this.#build());
  }
}
