/**
 * Aggregate registrations are typed by their own class: `idOf`, `create` and the snapshot functions
 * written inline get the class from `type`, a registration kept in a variable stays assignable, and
 * a wrong field is refused. Compiled by test/types.spec.ts (and by `tsc -p tsconfig.json`), never run.
 */
import { DynamoEventSourcingModule, everyNEvents, type AggregateRegistration } from '../../lib/index.js';

class Ledger {
  constructor(
    readonly ledgerId: string,
    readonly currency: string,
  ) {}
}
class Account {
  constructor(readonly id: string) {}
  balance = 0;
}

DynamoEventSourcingModule.forFeature({
  aggregates: [
    { type: Ledger, name: 'ledger', idOf: (ledger) => ledger.ledgerId, create: (id) => new Ledger(id, 'EUR') },
    { type: Account, name: 'account', snapshots: { policy: everyNEvents(50), toSnapshot: (account) => ({ balance: account.balance }) } },
  ],
});

const ledgers: AggregateRegistration<Ledger> = { type: Ledger, name: 'ledger', idOf: (ledger) => ledger.ledgerId };
const anyClass: AggregateRegistration[] = [ledgers];
DynamoEventSourcingModule.forFeature({ aggregates: [ledgers] });
DynamoEventSourcingModule.forFeature({ aggregates: anyClass });

// @ts-expect-error a Ledger has no `id`: idOf is typed by the registration's own class
DynamoEventSourcingModule.forFeature({ aggregates: [{ type: Ledger, name: 'ledger', idOf: (ledger) => ledger.id }] });
