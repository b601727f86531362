import { ConcurrencyError, type AggregateRepository } from '../../lib/index.js';
import { NotFoundError } from '../shared/not-found.error.js';
import { retryOnConflict } from '../shared/retry-on-conflict.js';
import type { Account } from './account.aggregate.js';
import type { AccountWriteResult } from './account-write.result.js';

/**
 * Load, change, save: the shape of every command on an existing account.
 *
 * - With `expectedVersion` (the client's If-Match), the account must be at exactly that version,
 *   and a concurrent write between the load and the save loses too: both are a ConcurrencyError
 *   (409), and nothing is written.
 * - Without it the client asked for no particular version, so a lost race is retried on a fresh
 *   load (the rules are checked again against the new balance).
 */
export async function changeAccount(
  accounts: AggregateRepository<Account>,
  accountId: string,
  change: (account: Account) => void,
  expectedVersion?: number,
): Promise<AccountWriteResult> {
  const once = async (): Promise<AccountWriteResult> => {
    const account = await loadAccount(accounts, accountId);
    const version = accounts.versionOf(account);
    if (expectedVersion !== undefined && version !== expectedVersion) {
      throw new ConcurrencyError(accounts.streamIdOf(accountId), expectedVersion, version);
    }
    change(account);
    const saved = await accounts.save(account);
    return accountWriteResult(account, saved?.version ?? version);
  };
  return expectedVersion === undefined ? retryOnConflict(once) : once();
}

/** @throws NotFoundError for an account with no events. */
export async function loadAccount(accounts: AggregateRepository<Account>, accountId: string): Promise<Account> {
  const account = await accounts.load(accountId);
  if (account === null) throw new NotFoundError('account', accountId);
  return account;
}

export function accountWriteResult(account: Account, version: number): AccountWriteResult {
  const { id, customerId, owner, currency, balanceCents, status } = account;
  return { accountId: id, customerId, owner, currency, balanceCents, status, version };
}
