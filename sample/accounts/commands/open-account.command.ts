import { Command } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CorrelatedCommand } from '../../../lib/index.js';
import type { AccountWriteResult } from '../account-write.result.js';

export class OpenAccount extends Command<AccountWriteResult> implements CorrelatedCommand {
  /** Becomes the causation (and correlation) id of the events it produces: see @WithCommandMetadata. */
  readonly commandId = randomUUID();

  constructor(
    readonly accountId: string,
    readonly owner: string,
    readonly currency: string,
    readonly customerId: string,
  ) {
    super();
  }
}
