import { describe, expect, it } from '@jest/globals';
import { REDACTED, StreamDeleted, type FeedEvent } from '../lib/index.js';
import { AccountOpened } from '../sample/accounts/events/account-opened.event.js';
import { MoneyDeposited } from '../sample/accounts/events/money-deposited.event.js';
import { MoneyWithdrawnForTransfer } from '../sample/accounts/events/money-withdrawn-for-transfer.event.js';
import { CustomerForgotten } from '../sample/admin/events/customer-forgotten.event.js';
import { BankReadModelProjection } from '../sample/read-model/bank-read-model.projection.js';
import { ReadModelStore } from '../sample/read-model/read-model.store.js';
import { TransferRequested } from '../sample/transfers/events/transfer-requested.event.js';

/**
 * The projection's handlers on their own, fed envelopes as the feed hands them out: at-least-once
 * delivery means any event can come twice, and `reset()` must leave nothing behind.
 */
describe('sample read model projection', () => {
  let sequence = 0;
  const envelope = <T extends object>(event: T, streamId: string, version: number): FeedEvent<T> => ({
    event,
    eventType: 'test',
    eventId: `event-${++sequence}`,
    streamId,
    version,
    occurredAt: new Date(Date.UTC(2026, 0, 1, 0, 0, sequence)),
    commitId: `commit-${sequence}`,
    correlationId: 'conversation',
    causationId: `event-${sequence - 1}`,
    metadata: {},
    checkpoint: `checkpoint-${sequence}`,
  });

  const events = () => {
    sequence = 0;
    return [
      envelope(new AccountOpened('a', 'Ada', 'EUR', 'cus-ada'), 'account-a', 1),
      envelope(new MoneyDeposited('a', 1_000), 'account-a', 2),
      envelope(new TransferRequested('t', 'a', 'b', 300, 'EUR'), 'transfer-t', 1),
      envelope(new MoneyWithdrawnForTransfer('a', 't', 'b', 300), 'account-a', 3),
    ];
  };

  const apply = async (projection: BankReadModelProjection, feed: FeedEvent[]) => {
    for (const e of feed) {
      if (e.event instanceof AccountOpened) projection.opened(e.event, e as FeedEvent<AccountOpened>);
      else if (e.event instanceof MoneyDeposited) projection.deposited(e.event, e as FeedEvent<MoneyDeposited>);
      else if (e.event instanceof TransferRequested) projection.transferRequested(e.event, e as FeedEvent<TransferRequested>);
      else if (e.event instanceof MoneyWithdrawnForTransfer) projection.withdrawnForTransfer(e.event, e as FeedEvent<MoneyWithdrawnForTransfer>);
    }
  };

  const snapshot = (store: ReadModelStore) => ({ account: store.account('a'), history: store.history('a'), transfer: store.transfer('t') });

  it('builds balances, the statement and the transfer', async () => {
    const store = new ReadModelStore();
    await apply(new BankReadModelProjection(store), events());
    expect(store.account('a')).toMatchObject({ balanceCents: 700, version: 3 });
    expect(store.history('a')!.map((entry) => [entry.kind, entry.amountCents, entry.balanceAfterCents])).toEqual([
      ['opened', 0, 0],
      ['deposit', 1_000, 1_000],
      ['transfer-out', -300, 700],
    ]);
    expect(store.transfer('t')).toMatchObject({ status: 'pending', steps: [{ step: 'requested' }, { step: 'withdrawn', streamId: 'account-a', version: 3 }] });
  });

  it('ignores events delivered again (a page replayed after a failure, or one event twice)', async () => {
    const once = new ReadModelStore();
    await apply(new BankReadModelProjection(once), events());
    const twice = new ReadModelStore();
    const projection = new BankReadModelProjection(twice);
    const feed = events();
    await apply(projection, feed);
    await apply(projection, feed); // the whole feed again
    await apply(projection, [feed[1]!, feed[3]!]); // single events again
    expect(snapshot(twice)).toEqual(snapshot(once));
  });

  it('reset() empties it, idempotently, and a replay then builds the same read model', async () => {
    const store = new ReadModelStore();
    const projection = new BankReadModelProjection(store);
    await apply(projection, events());
    const built = snapshot(store);
    projection.reset();
    projection.reset();
    expect(snapshot(store)).toEqual({ account: undefined, history: undefined, transfer: undefined });
    await apply(projection, events());
    expect(snapshot(store)).toEqual(built);
  });

  it('hands out copies: a reader cannot change the read model', () => {
    const store = new ReadModelStore();
    const projection = new BankReadModelProjection(store);
    projection.opened(new AccountOpened('a', 'Ada', 'EUR', 'cus-ada'), envelope(new AccountOpened('a', 'Ada', 'EUR', 'cus-ada'), 'account-a', 1));
    store.account('a')!.balanceCents = 1_000_000;
    store.history('a')!.push({ version: 9, at: '', kind: 'deposit', amountCents: 1, balanceAfterCents: 1 });
    expect(store.account('a')!.balanceCents).toBe(0);
    expect(store.history('a')).toHaveLength(1);
  });

  it('forgets a deleted account (StreamDeleted), skips its events delivered again, and takes it back if opened again', async () => {
    const store = new ReadModelStore();
    const projection = new BankReadModelProjection(store);
    const feed = events();
    await apply(projection, feed);
    const deletion = envelope(new StreamDeleted('soft', 3), 'account-a', 4);
    projection.streamDeleted(deletion.event, deletion);
    expect([store.account('a'), store.history('a')]).toEqual([undefined, undefined]);
    expect(store.transfer('t')).toBeDefined(); // ids and amounts only: kept
    await apply(projection, feed); // redelivered after the deletion: still gone
    projection.streamDeleted(deletion.event, deletion);
    expect(store.account('a')).toBeUndefined();
    // A soft-deleted stream can be appended to again: its versions continue after the tombstone.
    const reopened = envelope(new AccountOpened('a', 'Ada', 'EUR', 'cus-ada'), 'account-a', 5);
    projection.opened(reopened.event, reopened);
    expect(store.account('a')).toMatchObject({ balanceCents: 0, version: 5 });
    // A deletion of a stream it never saw (a rebuild sees only the deletion of a hard-deleted one) changes nothing.
    const unknown = envelope(new StreamDeleted('hard', 9), 'account-zz', 10);
    projection.streamDeleted(unknown.event, unknown);
    expect(store.size()).toEqual({ accounts: 1, transfers: 1 });
  });

  it("redacts a forgotten customer's names (CustomerForgotten), and only theirs", async () => {
    const store = new ReadModelStore();
    const projection = new BankReadModelProjection(store);
    await apply(projection, events());
    const other = envelope(new AccountOpened('b', 'Bob', 'EUR', 'cus-bob'), 'account-b', 1);
    projection.opened(other.event, other);
    const forgotten = envelope(new CustomerForgotten('cus-ada'), 'customer-cus-ada', 1);
    projection.customerForgotten(forgotten.event, forgotten);
    expect(store.account('a')).toMatchObject({ owner: REDACTED, customerId: 'cus-ada', balanceCents: 700 });
    expect(store.account('b')!.owner).toBe('Bob');
  });
});
