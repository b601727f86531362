import { SagaStepCommand } from './saga-step.command.js';

/** Marks the transfer failed, once there is nothing (left) to undo. */
export class FailTransfer extends SagaStepCommand {
  constructor(
    transferId: string,
    readonly reason: string,
    readonly compensated: boolean,
    causedBy: { correlationId?: string; causationId?: string },
  ) {
    super(transferId, causedBy);
  }
}
