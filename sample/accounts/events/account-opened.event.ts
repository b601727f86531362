import { EventType } from '../../../lib/index.js';

@EventType('bank.account-opened')
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
    /** ISO 4217 code; every amount on the account is in this currency. */
    readonly currency: string,
  ) {}
}
