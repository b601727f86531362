import { Prng } from './prng.js';

/**
 * A realistic large snapshot state: a branch's ledger of ~5,000 account records (ids, IBANs,
 * holders, balances, limits, timestamps, a few recent transactions each), every field drawn from a
 * seeded PRNG, so it compresses like real data rather than like repeated filler.
 */

export interface LedgerAccount {
  accountId: string;
  iban: string;
  holder: { name: string; country: string; city: string };
  currency: string;
  balance: number;
  available: number;
  overdraftLimit: number;
  status: string;
  openedAt: string;
  lastActivityAt: string;
  recent: Array<{ transactionId: string; amount: number; bookedAt: string; counterparty: string }>;
}

export interface LedgerState {
  branchId: string;
  asOf: string;
  accounts: LedgerAccount[];
}

const FIRST_NAMES = ['Anna', 'Luca', 'Sofia', 'Jonas', 'Marie', 'Pieter', 'Chloé', 'Mateo', 'Ingrid', 'Tomasz', 'Aoife', 'Nikos', 'Elif', 'Lars', 'Giulia', 'Rafael', 'Hanna', 'Oskar'];
const LAST_NAMES = ['Schneider', 'Rossi', 'Dubois', 'van Dijk', 'García', 'Kowalski', "O'Brien", 'Papadopoulos', 'Lindqvist', 'Novak', 'Müller', 'Costa', 'Yılmaz', 'Jensen'];
const PLACES: ReadonlyArray<readonly [country: string, ibanLength: number, currency: string, cities: readonly string[]]> = [
  ['DE', 22, 'EUR', ['Berlin', 'Hamburg', 'Köln']],
  ['FR', 27, 'EUR', ['Lyon', 'Paris', 'Nantes']],
  ['NL', 18, 'EUR', ['Utrecht', 'Delft']],
  ['ES', 24, 'EUR', ['Valencia', 'Sevilla']],
  ['IT', 27, 'EUR', ['Bologna', 'Torino']],
  ['GB', 22, 'GBP', ['Leeds', 'Bristol']],
  ['CH', 21, 'CHF', ['Basel', 'Bern']],
  ['SE', 24, 'SEK', ['Malmö', 'Uppsala']],
  ['PL', 28, 'PLN', ['Kraków', 'Gdańsk']],
];
const COUNTERPARTIES = ['Corner Grocer', 'Rail Tickets Online', 'City Pharmacy', 'Fuel Stop', 'Book Nook', 'Bistro Central', 'Payroll', 'Landlord', 'Utility Co', 'Insurance AG'];
const STATUSES = ['active', 'active', 'active', 'active', 'dormant', 'frozen', 'closing'];

/** A ledger whose JSON is at least `targetBytes` long (records are added until it is). */
export function ledgerState(seed: number, targetBytes: number): LedgerState {
  const rng = new Prng(seed);
  let clock = Date.UTC(2025, 5, 30, 18, 0, 0);
  const amount = (max: number) => Math.round(rng.next() * max * 100) / 100;
  const state: LedgerState = { branchId: `branch-${rng.uuid()}`, asOf: new Date(clock).toISOString(), accounts: [] };
  let bytes = JSON.stringify(state).length;
  while (bytes < targetBytes) {
    const [country, ibanLength, currency, cities] = rng.pick(PLACES);
    const balance = amount(40_000) - 2_000;
    const overdraftLimit = rng.pick([0, 0, 500, 1000, 2500]);
    const recent = Array.from({ length: rng.int(0, 2) }, () => {
      clock -= rng.int(60, 86_400) * 1000;
      return {
        transactionId: rng.uuid(),
        amount: rng.chance(0.4) ? amount(3_000) : -amount(400),
        bookedAt: new Date(clock).toISOString(),
        counterparty: rng.pick(COUNTERPARTIES),
      };
    });
    const account: LedgerAccount = {
      accountId: rng.uuid(),
      iban: `${country}${rng.digits(2)}${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 4)}${rng.digits(ibanLength - 8)}`,
      holder: { name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`, country, city: rng.pick(cities) },
      currency,
      balance,
      available: Math.round((balance + overdraftLimit) * 100) / 100,
      overdraftLimit,
      status: rng.pick(STATUSES),
      openedAt: new Date(Date.UTC(2005 + rng.int(0, 19), rng.int(0, 11), rng.int(1, 28))).toISOString().slice(0, 10),
      lastActivityAt: new Date(Date.UTC(2025, 5, 30) - rng.int(0, 90 * 86_400) * 1000).toISOString(),
      recent,
    };
    state.accounts.push(account);
    bytes += JSON.stringify(account).length + 1;
  }
  return state;
}
