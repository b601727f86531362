import { SagaStepCommand } from './saga-step.command.js';

/** The compensation: gives the money back to the source account after the target refused it. */
export class RefundTransfer extends SagaStepCommand {
  constructor(
    transferId: string,
    readonly reason: string,
    causedBy: { correlationId?: string; causationId?: string },
  ) {
    super(transferId, causedBy);
  }
}
