import type { CorrelatedCommand } from '../../../lib/index.js';

/**
 * A command the transfer saga issues in reaction to an event. It has no `commandId` of its own, so
 * the events it produces name that event as their cause and keep the transfer's correlation id
 * (`EventMetadataContext.causedBy(event)`): the history of a transfer reads as a causal chain.
 */
export abstract class SagaStepCommand implements CorrelatedCommand {
  readonly correlationId?: string;
  readonly causationId?: string;

  protected constructor(
    readonly transferId: string,
    causedBy: { correlationId?: string; causationId?: string },
  ) {
    this.correlationId = causedBy.correlationId;
    this.causationId = causedBy.causationId;
  }
}
