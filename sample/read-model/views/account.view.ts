import type { AccountStatus } from '../../accounts/account.aggregate.js';

/** An account as the read model shows it (GET /accounts/:id). */
export interface AccountView {
  accountId: string;
  customerId: string;
  /** `"[redacted]"` once the customer is forgotten. */
  owner: string;
  currency: string;
  balanceCents: number;
  status: AccountStatus;
  /** The last version of the account's stream applied here: compare it with a write's version. */
  version: number;
  openedAt: string;
  updatedAt: string;
}
