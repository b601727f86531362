import { MoneyDeposited, MoneyWithdrawn, TransferRequested, type BankEvent, type Money } from './events.js';
import { Prng } from './prng.js';

/**
 * Realistic, varied events of about 400 bytes of JSON (as stored: `{"type":...,"data":...}`).
 * Every field is drawn from a seeded PRNG, so runs are comparable; no event carries repeated
 * filler, so sizes and (de)serialization costs are those of real payloads.
 */

const FIRST_NAMES = ['Anna', 'Luca', 'Sofia', 'Jonas', 'Marie', 'Pieter', 'Chloé', 'Mateo', 'Ingrid', 'Tomasz', 'Aoife', 'Nikos', 'Elif', 'Lars', 'Giulia', 'Rafael'];
const LAST_NAMES = ['Schneider', 'Rossi', 'Dubois', 'van Dijk', 'García', 'Kowalski', "O'Brien", 'Papadopoulos', 'Lindqvist', 'Novak', 'Müller', 'Costa', 'Yılmaz', 'Jensen'];
/** Country, IBAN length, typical currency. */
const COUNTRIES: ReadonlyArray<readonly [code: string, ibanLength: number, currency: string]> = [
  ['DE', 22, 'EUR'], ['FR', 27, 'EUR'], ['NL', 18, 'EUR'], ['ES', 24, 'EUR'], ['IT', 27, 'EUR'],
  ['BE', 16, 'EUR'], ['GB', 22, 'GBP'], ['CH', 21, 'CHF'], ['SE', 24, 'SEK'], ['PL', 28, 'PLN'],
];
const CITIES = ['Berlin', 'Lyon', 'Utrecht', 'Valencia', 'Bologna', 'Ghent', 'Leeds', 'Basel', 'Malmö', 'Kraków', 'Porto', 'Aarhus'];
const MERCHANTS: ReadonlyArray<readonly [name: string, mcc: string]> = [
  ['Corner Grocer', '5411'], ['Rail Tickets Online', '4112'], ['City Pharmacy', '5912'], ['Fuel Stop', '5541'],
  ['Book Nook', '5942'], ['Bistro Central', '5812'], ['Hardware Depot', '5251'], ['Streamflix', '4899'],
  ['ATM Withdrawal', '6011'], ['Airline Direct', '3000'], ['Cinema Plaza', '7832'], ['Green Bikes', '5940'],
];
const DEPOSIT_CHANNELS = ['SEPA_CREDIT', 'SEPA_INSTANT', 'CASH_COUNTER', 'CARD_REFUND', 'INTEREST', 'SALARY'];
const SCHEMES = ['SEPA', 'SEPA_INSTANT', 'SWIFT', 'FASTER_PAYMENTS'];
const MEMO_WORDS = [
  'invoice', 'rent', 'March', 'April', 'deposit', 'refund', 'order', 'subscription', 'shared', 'dinner',
  'holiday', 'flat', 'utilities', 'insurance', 'quarterly', 'advance', 'tuition', 'repair', 'gift', 'birthday',
  'savings', 'transfer', 'reimbursement', 'membership', 'tickets', 'groceries', 'contract', 'balance', 'fee', 'loan',
];

/** Serialized size of the stored entry the module and the baseline write for one event. */
export const entrySize = (event: BankEvent): number =>
  Buffer.byteLength(JSON.stringify({ type: event.constructor.name, data: event }), 'utf8');

export class EventGenerator {
  private readonly rng: Prng;
  /** A clock that moves forward by a few seconds to minutes per event, like a real account's activity. */
  private clock = Date.UTC(2025, 0, 6, 8, 0, 0);
  private readonly balances = new Map<string, number>();

  constructor(seed: number) {
    this.rng = new Prng(seed);
  }

  /** A stream id as an application would name an account stream. */
  accountStreamId(): string {
    return `account-${this.rng.uuid()}`;
  }

  /**
   * One event of the account. Its memo is filled up to a size drawn from 360..440 bytes; some
   * events' fixed fields alone are longer, so the mean is slightly above 400.
   */
  next(accountId: string): BankEvent {
    this.clock += this.rng.int(2, 600) * 1000 + this.rng.int(0, 999);
    const roll = this.rng.next();
    const draft = roll < 0.5 ? this.deposit(accountId) : roll < 0.85 ? this.withdrawal(accountId) : this.transfer(accountId);
    return this.withMemoToSize(draft, this.rng.int(360, 440));
  }

  /** `count` events of one account. */
  batch(accountId: string, count: number): BankEvent[] {
    return Array.from({ length: count }, () => this.next(accountId));
  }

  private deposit(accountId: string): MoneyDeposited {
    const [country, ibanLength, currency] = this.rng.pick(COUNTRIES);
    const money = this.money(currency, 5, 700);
    return new MoneyDeposited({
      accountId,
      transactionId: this.rng.uuid(),
      money,
      sourceIban: this.iban(country, ibanLength),
      depositor: { name: this.personName(), country },
      channel: this.rng.pick(DEPOSIT_CHANNELS),
      bookedAt: new Date(this.clock).toISOString(),
      balanceAfter: this.moveBalance(accountId, money.amount),
      memo: '',
    });
  }

  private withdrawal(accountId: string): MoneyWithdrawn {
    const [country, , currency] = this.rng.pick(COUNTRIES);
    const [name, mcc] = this.rng.pick(MERCHANTS);
    const money = this.money(currency, 1, 900);
    return new MoneyWithdrawn({
      accountId,
      transactionId: this.rng.uuid(),
      money,
      merchant: { name, city: this.rng.pick(CITIES), country, mcc },
      cardLast4: this.rng.digits(4),
      withdrawnAt: new Date(this.clock).toISOString(),
      balanceAfter: this.moveBalance(accountId, -money.amount),
      memo: '',
    });
  }

  private transfer(accountId: string): TransferRequested {
    const [country, ibanLength, currency] = this.rng.pick(COUNTRIES);
    return new TransferRequested({
      transferId: this.rng.uuid(),
      fromAccountId: accountId,
      beneficiary: {
        name: this.personName(),
        iban: this.iban(country, ibanLength),
        bic: `${this.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ', 4)}${country}${this.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 2)}`,
      },
      money: this.money(currency, 10, 25_000),
      scheme: this.rng.pick(SCHEMES),
      requestedAt: new Date(this.clock).toISOString(),
      executionDate: new Date(this.clock + this.rng.int(0, 5) * 86_400_000).toISOString().slice(0, 10),
      memo: '',
    });
  }

  /** Fills the free-text memo with words until the stored entry reaches `targetBytes`. */
  private withMemoToSize<T extends BankEvent>(draft: T, targetBytes: number): T {
    const withoutMemo = entrySize(draft); // the memo is ASCII, so each character adds one byte
    const words = this.rng.chance(0.5) ? [`ref ${this.rng.chars('ABCDEFGHJKLMNPQRSTUVWXYZ', 3)}-${this.rng.digits(6)}`] : [];
    while (withoutMemo + words.join(' ').length < targetBytes) words.push(this.rng.pick(MEMO_WORDS));
    const memo = words.join(' ');
    const Class = draft.constructor as new (props: T) => T;
    return new Class({ ...draft, memo });
  }

  private money(currency: string, min: number, max: number): Money {
    return { amount: Math.round((min + this.rng.next() * (max - min)) * 100) / 100, currency };
  }

  private moveBalance(accountId: string, delta: number): number {
    const balance = Math.round(((this.balances.get(accountId) ?? this.rng.int(100, 20_000)) + delta) * 100) / 100;
    this.balances.set(accountId, balance);
    return balance;
  }

  private personName(): string {
    return `${this.rng.pick(FIRST_NAMES)} ${this.rng.pick(LAST_NAMES)}`;
  }

  /** IBAN-shaped (country, check digits, bank and account digits); the checksum is not computed. */
  private iban(country: string, length: number): string {
    return `${country}${this.rng.digits(2)}${this.rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 4)}${this.rng.digits(length - 8)}`;
  }
}
