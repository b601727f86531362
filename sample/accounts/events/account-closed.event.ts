import { EventType } from '../../../lib/index.js';

@EventType('bank.account-closed')
export class AccountClosed {
  constructor(readonly accountId: string) {}
}
