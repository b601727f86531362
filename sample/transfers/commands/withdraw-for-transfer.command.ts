import { SagaStepCommand } from './saga-step.command.js';

/** Takes the money from the source account (first leg). */
export class WithdrawForTransfer extends SagaStepCommand {
  constructor(transferId: string, causedBy: { correlationId?: string; causationId?: string }) {
    super(transferId, causedBy);
  }
}
