import { Injectable } from '@nestjs/common';

/** README's AccountsService (appends and reads an account's events). */
@Injectable()
export class AccountsService {
  async open(id: string, owner: string): Promise<number> {
    return id.length + owner.length;
  }
}
