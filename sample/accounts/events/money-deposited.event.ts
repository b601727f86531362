import { EventType } from '../../../lib/index.js';

@EventType('bank.money-deposited')
export class MoneyDeposited {
  constructor(
    readonly accountId: string,
    readonly amountCents: number,
  ) {}
}
