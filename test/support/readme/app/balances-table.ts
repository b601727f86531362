import { Injectable } from '@nestjs/common';

/** The read model's storage: a table of balances, each row with the stream version it reflects. */
@Injectable()
export class BalancesTable {
  async apply(accountId: string, delta: number, streamId: string, version: number): Promise<void> {
    void [accountId, delta, streamId, version];
  }

  async clear(): Promise<void> {}

  /** README's GDPR section: a deleted stream's rows go. */
  async forgetStream(streamId: string, upToVersion: number): Promise<void> {
    void [streamId, upToVersion];
  }
}
