import type { AccountStatus } from './account.aggregate.js';

/**
 * What a command on an account answers: the write model's state right after the commit (strongly
 * consistent, unlike the read model), and the stream version to pass as If-Match next time.
 */
export interface AccountWriteResult {
  readonly accountId: string;
  readonly customerId: string;
  /** `"[redacted]"` once the customer is forgotten. */
  readonly owner: string;
  readonly currency: string;
  readonly balanceCents: number;
  readonly status: AccountStatus;
  readonly version: number;
}
