/**
 * The benchmark's event classes: a bank account's typical traffic. Each is a plain data class
 * built from a props object, the shape most @nestjs/cqrs apps use for events.
 */

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

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

/** Registered with the module; stored under their class names. */
export const BENCH_EVENT_CLASSES = [MoneyDeposited, MoneyWithdrawn, TransferRequested];
