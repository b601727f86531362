import { Query } from '@nestjs/cqrs';
import type { AccountView } from '../views/account.view.js';

export class GetAccount extends Query<AccountView> {
  constructor(readonly accountId: string) {
    super();
  }
}
