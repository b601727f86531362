/**
 * Money is an integer number of cents everywhere (events, read model, API): no floating-point
 * rounding, and JSON carries it exactly. The largest single amount the API accepts:
 */
export const MAX_AMOUNT_CENTS = 1_000_000_000_00; // 1 billion in currency units

/** `123456` and `'EUR'` → `"1,234.56 EUR"`, for people (logs, the demo). */
export function formatMoney(cents: number, currency: string): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}${units}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}

/** What the API accepts as an amount: a positive whole number of cents, at most MAX_AMOUNT_CENTS. */
export const AMOUNT_CENTS_RULE = { min: 1, max: MAX_AMOUNT_CENTS, what: 'a whole number of cents (1250 for 12.50)' } as const;
