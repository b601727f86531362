import { EventType } from '../../../lib/index.js';

@EventType('bank.money-withdrawn')
export class MoneyWithdrawn {
  constructor(
    readonly accountId: string,
    readonly amountCents: number,
  ) {}
}
