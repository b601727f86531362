import { Command } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CorrelatedCommand } from '../../../lib/index.js';
import type { AccountWriteResult } from '../account-write.result.js';

export class DepositMoney extends Command<AccountWriteResult> implements CorrelatedCommand {
  readonly commandId = randomUUID();

  constructor(
    readonly accountId: string,
    readonly amountCents: number,
    /** The version the client saw (If-Match); undefined to deposit whatever the version. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}
