import { SagaStepCommand } from './saga-step.command.js';

/** Credits the target account (second leg). */
export class DepositTransfer extends SagaStepCommand {
  constructor(transferId: string, causedBy: { correlationId?: string; causationId?: string }) {
    super(transferId, causedBy);
  }
}
