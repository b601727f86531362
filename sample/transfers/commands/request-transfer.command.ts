import { Command } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CorrelatedCommand } from '../../../lib/index.js';
import type { TransferAcceptedResult } from '../transfer-accepted.result.js';

export class RequestTransfer extends Command<TransferAcceptedResult> implements CorrelatedCommand {
  /** Every step of the transfer carries it as correlation id: one conversation, however many streams. */
  readonly commandId = randomUUID();

  constructor(
    readonly transferId: string,
    readonly fromAccountId: string,
    readonly toAccountId: string,
    readonly amountCents: number,
  ) {
    super();
  }
}
