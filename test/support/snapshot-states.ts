/**
 * Varied aggregate states for snapshot tests, drawn from a seeded PRNG (mulberry32): the same seed
 * gives the same state on every run, and no part of it is repeated filler, so compression ratios
 * and sizes are those of real data rather than of `'x'.repeat(n)`.
 */
import { Prng } from '../../bench/prng.js';

const FIRST_NAMES = ['Anna', 'Luca', 'Sofia', 'Jonas', 'Marie', 'Pieter', 'Chloé', 'Mateo', 'Ingrid', 'Tomasz', 'Aoife', 'Nikos', 'Elif', 'Lars'];
const LAST_NAMES = ['Schneider', 'Rossi', 'Dubois', 'van Dijk', 'García', 'Kowalski', "O'Brien", 'Papadopoulos', 'Lindqvist', 'Novak', 'Müller'];
const CITIES = ['Berlin', 'Lyon', 'Utrecht', 'Valencia', 'Bologna', 'Ghent', 'Leeds', 'Basel', 'Malmö', 'Kraków', 'Porto', 'Aarhus'];
const MERCHANTS = ['Corner Grocer', 'Rail Tickets Online', 'City Pharmacy', 'Fuel Stop', 'Book Nook', 'Bistro Central', 'Hardware Depot'];
const CURRENCIES = ['EUR', 'GBP', 'CHF', 'SEK', 'PLN'];
const WORDS = [
  'invoice', 'rent', 'March', 'April', 'deposit', 'refund', 'order', 'subscription', 'shared', 'dinner', 'holiday',
  'flat', 'utilities', 'insurance', 'quarterly', 'advance', 'tuition', 'repair', 'gift', 'savings', 'fee', 'loan',
];

export interface LedgerEntry {
  id: string;
  at: string;
  amount: number;
  currency: string;
  counterparty: string;
  memo: string;
  tags: string[];
  settled: boolean;
}

/** An account aggregate's state: an owner, balances and a ledger of varied entries. */
export interface AccountState {
  accountId: string;
  owner: { name: string; city: string; customerSince: string };
  balances: Record<string, number>;
  ledger: LedgerEntry[];
}

/** A state whose JSON takes at least `minBytes` bytes (UTF-8), drawn from `seed`. */
export function accountState(seed: number, minBytes: number): AccountState {
  const rng = new Prng(seed);
  const state: AccountState = {
    accountId: `acc-${rng.hex(12)}`,
    owner: {
      name: `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      city: rng.pick(CITIES),
      customerSince: new Date(Date.UTC(2010 + rng.int(0, 14), rng.int(0, 11), rng.int(1, 28))).toISOString(),
    },
    balances: Object.fromEntries(CURRENCIES.map((currency) => [currency, rng.int(-50_000, 5_000_000) / 100])),
    ledger: [],
  };
  let bytes = JSON.stringify(state).length;
  let clock = Date.UTC(2024, 0, 1);
  while (bytes < minBytes) {
    clock += rng.int(1, 86_400) * 1000;
    const words = Array.from({ length: rng.int(2, 9) }, () => rng.pick(WORDS));
    const entry: LedgerEntry = {
      id: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}`,
      at: new Date(clock).toISOString(),
      amount: rng.int(-200_000, 400_000) / 100,
      currency: rng.pick(CURRENCIES),
      counterparty: rng.next() < 0.5 ? rng.pick(MERCHANTS) : `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`,
      memo: `${words.join(' ')} ${rng.int(1, 99_999)}`,
      tags: Array.from({ length: rng.int(0, 3) }, () => rng.pick(WORDS)),
      settled: rng.next() < 0.9,
    };
    state.ledger.push(entry);
    bytes += Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
  }
  return state;
}
