/** Event classes shared by the integration tests. */
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}

export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly note = '',
  ) {}
}

export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amount: number,
  ) {}
}

export const TEST_EVENTS = [AccountOpened, MoneyDeposited, MoneyWithdrawn];

/** `count` deposits, each carrying `noteBytes` of text so tests can reach item and page limits. */
export function deposits(accountId: string, count: number, noteBytes = 0, firstAmount = 1): MoneyDeposited[] {
  return Array.from({ length: count }, (_, i) => new MoneyDeposited(accountId, firstAmount + i, 'n'.repeat(noteBytes)));
}
