/**
 * The benchmark's event classes: a bank account's typical traffic. Each is a plain data class
 * built from a props object, the shape most @nestjs/cqrs apps use for events. Their stored type names
 * are their class names, as the raw SDK baseline stores them, so both write the very same bytes.
 */
import { EventType } from '../lib/serialization/event-type.decorator.js';

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

@EventType('MoneyDeposited')
export class MoneyDeposited {
  readonly accountId!: string;
  readonly transactionId!: string;
  readonly money!: Money;
  readonly sourceIban!: string;
  readonly depositor!: { readonly name: string; readonly country: string };
  readonly channel!: string;
  readonly bookedAt!: string;
  readonly balanceAfter!: number;
  readonly memo!: string;

  constructor(props: MoneyDeposited) {
    Object.assign(this, props);
  }
}

@EventType('MoneyWithdrawn')
export class MoneyWithdrawn {
  readonly accountId!: string;
  readonly transactionId!: string;
  readonly money!: Money;
  readonly merchant!: { readonly name: string; readonly city: string; readonly country: string; readonly mcc: string };
  readonly cardLast4!: string;
  readonly withdrawnAt!: string;
  readonly balanceAfter!: number;
  readonly memo!: string;

  constructor(props: MoneyWithdrawn) {
    Object.assign(this, props);
  }
}

@EventType('TransferRequested')
export class TransferRequested {
  readonly transferId!: string;
  readonly fromAccountId!: string;
  readonly beneficiary!: { readonly name: string; readonly iban: string; readonly bic: string };
  readonly money!: Money;
  readonly scheme!: string;
  readonly requestedAt!: string;
  readonly executionDate!: string;
  readonly memo!: string;

  constructor(props: TransferRequested) {
    Object.assign(this, props);
  }
}

export type BankEvent = MoneyDeposited | MoneyWithdrawn | TransferRequested;

/** Registered with the module; stored under the names their @EventType gives. */
export const BENCH_EVENT_CLASSES = [MoneyDeposited, MoneyWithdrawn, TransferRequested];

/** A small deposit (the write workloads' events are larger): for groups where only the per-append overhead matters. */
export const smallDeposit = (n: number): MoneyDeposited =>
  new MoneyDeposited({
    accountId: `a${n}`,
    transactionId: `t${n}`,
    money: { amount: 100, currency: 'EUR' },
    sourceIban: 'DE00',
    depositor: { name: 'bench', country: 'DE' },
    channel: 'api',
    bookedAt: '2026-01-01',
    balanceAfter: 100,
    memo: '',
  });
