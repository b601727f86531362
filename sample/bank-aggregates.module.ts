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
    // Revision 2: the state gained transfersOut/transfersIn; older snapshots lack them, so they are
    // skipped and the account is replayed from its events instead.
    { type: Account, name: 'account', snapshots: { policy: everyNEvents(50), revision: 2 } },
    // Transfers are a handful of events each: no snapshots.
    { type: Transfer, name: 'transfer' },
  ],
});

@Module({ imports: [aggregates], exports: [aggregates] })
export class BankAggregatesModule {}
