/** Why a command was refused by a business rule (not by bad input): the API answers 422 with the code. */
export type DomainRuleCode =
  | 'INSUFFICIENT_FUNDS'
  | 'ACCOUNT_CLOSED'
  | 'ACCOUNT_NOT_CLOSED'
  | 'CURRENCY_MISMATCH'
  | 'BALANCE_NOT_ZERO'
  | 'TRANSFER_IN_FLIGHT'
  | 'BALANCE_LIMIT'
  | 'INVALID_AMOUNT';

/**
 * A command that is well formed but breaks a rule of the bank (an overdraft, a deposit to a closed
 * account). Thrown by aggregates before anything is applied, so nothing is written.
 */
export class DomainRuleError extends Error {
  override readonly name = 'DomainRuleError';

  constructor(
    readonly code: DomainRuleCode,
    message: string,
    /** Facts a client can act on, e.g. the balance an overdraft was refused against. */
    readonly facts: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
