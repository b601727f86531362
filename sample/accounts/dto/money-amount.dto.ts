import { RequestBody } from '../../http/request-body.js';
import { AMOUNT_CENTS_RULE } from '../../shared/money.js';

/** `POST /accounts/:id/deposits` and `/withdrawals` body: `{ "amountCents": 1250, "expectedVersion": 3 }` (expectedVersion optional, like If-Match). */
export class MoneyAmountDto {
  private constructor(
    readonly amountCents: number,
    readonly expectedVersion: number | undefined,
  ) {}

  static parse(body: unknown): MoneyAmountDto {
    const fields = RequestBody.of(body, ['amountCents', 'expectedVersion']);
    const amountCents = fields.integer('amountCents', AMOUNT_CENTS_RULE);
    const expectedVersion = fields.optionalInteger('expectedVersion', { min: 1, max: Number.MAX_SAFE_INTEGER, what: 'the account version you read' });
    fields.done();
    return new MoneyAmountDto(amountCents, expectedVersion);
  }
}
