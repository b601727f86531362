import { RequestBody } from '../../http/request-body.js';
import { ENTITY_ID_PATTERN, ENTITY_ID_RULE } from '../../shared/entity-id.js';

/**
 * `POST /accounts` body: `{ "owner": "Ada Lovelace", "currency": "EUR", "accountId": "ada", "customerId": "cus-ada" }`
 * (currency, accountId and customerId optional).
 */
export class OpenAccountDto {
  private constructor(
    /** Chosen by the client, or generated when left out. */
    readonly accountId: string | undefined,
    readonly owner: string,
    readonly currency: string,
    /** The customer (data subject) the account belongs to: a new one when left out. */
    readonly customerId: string | undefined,
  ) {}

  static parse(body: unknown): OpenAccountDto {
    const fields = RequestBody.of(body, ['owner', 'currency', 'accountId', 'customerId']);
    const owner = fields.text('owner', 100);
    const currency = fields.optionalMatch('currency', /^[A-Z]{3}$/, 'must be an ISO 4217 code of three capital letters, such as "EUR"');
    const accountId = fields.optionalMatch('accountId', ENTITY_ID_PATTERN, ENTITY_ID_RULE);
    const customerId = fields.optionalMatch('customerId', ENTITY_ID_PATTERN, ENTITY_ID_RULE);
    fields.done();
    return new OpenAccountDto(accountId, owner, currency ?? 'EUR', customerId);
  }
}
