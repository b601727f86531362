import { Query } from '@nestjs/cqrs';
import type { AccountHistoryView } from '../views/account-history.view.js';

export class GetAccountHistory extends Query<AccountHistoryView> {
  constructor(readonly accountId: string) {
    super();
  }
}
