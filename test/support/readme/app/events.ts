import { EventType } from '../../../../lib/index.js';

/** As README's "Using it" shows it. */
@EventType('bank.account-opened')
export class AccountOpened {
  constructor(readonly accountId: string, readonly owner: string) {}
}

@EventType('bank.money-deposited')
export class MoneyDeposited {
  constructor(readonly accountId: string, readonly amount: number) {}
}

@EventType('bank.money-withdrawn')
export class MoneyWithdrawn {
  constructor(readonly accountId: string, readonly amount: number) {}
}
