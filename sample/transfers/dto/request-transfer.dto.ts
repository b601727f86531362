import { RequestBody } from '../../http/request-body.js';
import { ENTITY_ID_PATTERN, ENTITY_ID_RULE } from '../../shared/entity-id.js';
import { AMOUNT_CENTS_RULE } from '../../shared/money.js';

/** `POST /transfers` body: `{ "fromAccountId": "ada", "toAccountId": "grace", "amountCents": 2500 }`. */
export class RequestTransferDto {
  private constructor(
    readonly fromAccountId: string,
    readonly toAccountId: string,
    readonly amountCents: number,
  ) {}

  static parse(body: unknown): RequestTransferDto {
    const fields = RequestBody.of(body, ['fromAccountId', 'toAccountId', 'amountCents']);
    const fromAccountId = fields.match('fromAccountId', ENTITY_ID_PATTERN, ENTITY_ID_RULE);
    const toAccountId = fields.match('toAccountId', ENTITY_ID_PATTERN, ENTITY_ID_RULE);
    const amountCents = fields.integer('amountCents', AMOUNT_CENTS_RULE);
    if (fromAccountId !== '' && fromAccountId === toAccountId) fields.refuse('toAccountId', 'must differ from fromAccountId');
    fields.done();
    return new RequestTransferDto(fromAccountId, toAccountId, amountCents);
  }
}
