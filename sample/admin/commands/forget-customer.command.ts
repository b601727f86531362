import { Command } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import type { CorrelatedCommand, ErasureReport } from '../../../lib/index.js';

/** Erases a customer's personal data (crypto-shredding): their names read as `REDACTED` from then on. */
export class ForgetCustomer extends Command<ErasureReport> implements CorrelatedCommand {
  readonly commandId = randomUUID();

  constructor(readonly customerId: string) {
    super();
  }
}
