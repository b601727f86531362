import { EventType } from '../../lib/serialization/event-type.decorator.js';

/** Event classes shared by the integration tests, stored under names equal to their class names. */
@EventType('AccountOpened')
export class AccountOpened {
  constructor(
    readonly accountId: string,
    readonly owner: string,
  ) {}
}

@EventType('MoneyDeposited')
export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amount: number,
    readonly note = '',
  ) {}
}

@EventType('MoneyWithdrawn')
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
