import { SagaStepCommand } from './saga-step.command.js';

/** Marks the transfer completed once the target was credited. */
export class CompleteTransfer extends SagaStepCommand {
  constructor(transferId: string, causedBy: { correlationId?: string; causationId?: string }) {
    super(transferId, causedBy);
  }
}
