/** The sample's domain events: plain classes, registered with the module under stable names. */
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
    readonly currency: string,
  ) {}
}

export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export const ACCOUNT_EVENTS = [
  { name: 'bank.account-opened', type: AccountOpened },
  { name: 'bank.money-deposited', type: MoneyDeposited },
  { name: 'bank.money-withdrawn', type: MoneyWithdrawn },
];
