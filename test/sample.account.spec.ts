import { describe, expect, it } from '@jest/globals';
import { Account } from '../sample/accounts/account.aggregate.js';
import { DomainRuleError } from '../sample/shared/domain-rule.error.js';

/**
 * The Account aggregate's transfer rules on their own (no app, no DynamoDB): a step delivered
 * again moves no money, and an account with an outgoing transfer in flight cannot be closed.
 */
describe('sample Account aggregate: transfers', () => {
  const funded = (cents: number) => {
    const account = Account.open('acc-bob', 'Bob', 'EUR', 'cus-bob');
    account.deposit(cents);
    account.commit();
    return account;
  };
  const uncommitted = (account: Account) => account.getUncommittedEvents().map((event) => event.constructor.name);
  const refusalOf = (act: () => void) => {
    try {
      act();
    } catch (error) {
      if (error instanceof DomainRuleError) return { code: error.code, facts: error.facts };
      throw error;
    }
    return undefined;
  };

  it('refuses to close while an outgoing transfer is in flight (the refund could still land)', () => {
    const bob = funded(500);
    bob.withdrawForTransfer('trf-1', 'acc-nowhere', 500);
    expect(bob.balanceCents).toBe(0);
    bob.commit();

    expect(refusalOf(() => bob.close())).toEqual({ code: 'TRANSFER_IN_FLIGHT', facts: { transferIds: ['trf-1'] } });
    expect(uncommitted(bob)).toEqual([]);

    // The refund lands: the money is back, and the account stays open.
    bob.refundTransfer('trf-1', 500, 'deposit refused');
    expect(bob).toMatchObject({ balanceCents: 500, status: 'open' });
    expect(bob.unrefundedTransferIds()).toEqual([]);
  });

  it('closes once the outgoing transfer has completed (told by the caller) or been refunded', () => {
    const completed = funded(300);
    completed.withdrawForTransfer('trf-done', 'acc-alice', 300);
    expect(refusalOf(() => completed.close(new Set(['trf-other'])))).toMatchObject({ code: 'TRANSFER_IN_FLIGHT' });
    completed.close(new Set(['trf-done']));
    expect(completed.status).toBe('closed');

    const refunded = funded(300);
    refunded.withdrawForTransfer('trf-back', 'acc-nowhere', 300);
    refunded.refundTransfer('trf-back', 300, 'deposit refused');
    refunded.withdraw(300);
    refunded.close();
    expect(refunded.status).toBe('closed');
  });

  it('applies each transfer step once: a redelivered withdrawal, deposit or refund records nothing', () => {
    const bob = funded(1_000);
    bob.withdrawForTransfer('trf-1', 'acc-alice', 400);
    bob.withdrawForTransfer('trf-1', 'acc-alice', 400);
    expect(uncommitted(bob)).toEqual(['MoneyWithdrawnForTransfer']);
    expect(bob.balanceCents).toBe(600);

    bob.refundTransfer('trf-1', 400, 'refused');
    bob.refundTransfer('trf-1', 400, 'refused');
    bob.withdrawForTransfer('trf-1', 'acc-alice', 400); // after its refund too
    expect(bob.balanceCents).toBe(1_000);

    bob.refundTransfer('trf-never', 400, 'refused'); // never withdrawn here: nothing to give back
    expect(bob.balanceCents).toBe(1_000);

    const alice = Account.open('acc-alice', 'Alice', 'EUR', 'cus-alice');
    alice.depositFromTransfer('trf-2', 'acc-bob', 250, 'EUR');
    alice.depositFromTransfer('trf-2', 'acc-bob', 250, 'EUR');
    expect(alice.balanceCents).toBe(250);
    expect(uncommitted(alice)).toEqual(['AccountOpened', 'MoneyDepositedFromTransfer']);
  });

  it('keeps what it remembers of transfers in its plain (snapshot) state', () => {
    const bob = funded(1_000);
    bob.withdrawForTransfer('trf-out', 'acc-alice', 100);
    bob.withdrawForTransfer('trf-back', 'acc-alice', 100);
    bob.refundTransfer('trf-back', 100, 'refused');
    bob.depositFromTransfer('trf-in', 'acc-alice', 50, 'EUR');

    // As the default snapshot stores and restores it: the own properties, through JSON.
    const state = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(bob).filter(([, value]) => typeof value !== 'function'))));
    expect(state).toMatchObject({ transfersOut: { 'trf-out': 'withdrawn', 'trf-back': 'refunded' }, transfersIn: { 'trf-in': true } });
    const restored = Object.assign(new Account('acc-bob'), state);
    restored.withdrawForTransfer('trf-out', 'acc-alice', 100);
    restored.refundTransfer('trf-back', 100, 'refused');
    restored.depositFromTransfer('trf-in', 'acc-alice', 50, 'EUR');
    expect(uncommitted(restored)).toEqual([]);
    expect(restored.balanceCents).toBe(950);
    expect(refusalOf(() => restored.close())).toMatchObject({ code: 'BALANCE_NOT_ZERO' });
    restored.withdraw(950);
    expect(refusalOf(() => restored.close())).toEqual({ code: 'TRANSFER_IN_FLIGHT', facts: { transferIds: ['trf-out'] } });
  });
});
