import { EventType } from '../../../lib/index.js';

/**
 * A customer's personal data was erased (`POST /admin/customers/:id/forget`): their data key is
 * gone, so their names in the events read as `REDACTED`. Recorded on the stream `customer-<id>`
 * so that read models, which copied the names while they were readable, forget them too: the
 * event store cannot reach those copies. Holds the customer's id only.
 */
@EventType('bank.customer-forgotten')
export class CustomerForgotten {
  constructor(readonly customerId: string) {}
}

/** The stream of a customer's privacy events. */
export function customerStreamId(customerId: string): string {
  return `customer-${customerId}`;
}
