import { Module } from '@nestjs/common';
import { DynamoEventSourcingModule, everyNEvents } from '../lib/index.js';
import { Account } from './accounts/account.aggregate.js';
import { Transfer } from './transfers/transfer.aggregate.js';

/**
 * The repositories of both aggregates, in one place: accounts and transfers both use the account
 * repository, and one registration per aggregate keeps one repository (and its snapshot bookkeeping).
 * No list of event classes: each is declared with `@EventType` (see accounts/events/ and
 * transfers/events/), which is all the registration it needs once the aggregates import it.
 */
const aggregates = DynamoEventSourcingModule.forFeature({
  aggregates: [
    // A busy account (a merchant, payroll) gets a long stream: with a snapshot every 50 events, a
    // load reads the newest snapshot and at most 49 events after it. Quiet accounts never need one.
    // Revision 3: the state gained customerId (revision 2: transfersOut/transfersIn); older snapshots
    // lack it, so they are skipped and the account is replayed from its events instead.
    // The state holds the owner's name: `subject` seals the whole snapshot under the customer's data
    // key, so forgetting the customer makes it unreadable too (the account is then rebuilt from its
    // events, where the name reads "[redacted]").
    {
      type: Account,
      name: 'account',
      snapshots: { policy: everyNEvents(50), revision: 3, subject: (state) => state.customerId as string },
    },
    // Transfers are a handful of events each: no snapshots.
    { type: Transfer, name: 'transfer' },
  ],
});

@Module({ imports: [aggregates], exports: [aggregates] })
export class BankAggregatesModule {}
