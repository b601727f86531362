import { Query } from '@nestjs/cqrs';
import type { AccountAuditResult } from '../account-audit.result.js';

/** Recomputes an account's balance from its events and compares it with the aggregate's. */
export class AuditAccount extends Query<AccountAuditResult> {
  constructor(readonly accountId: string) {
    super();
  }
}
