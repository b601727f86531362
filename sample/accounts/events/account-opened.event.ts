import { DataSubject, EventType, PersonalData } from '../../../lib/index.js';

/**
 * The owner's name is personal data: it is stored sealed under the data key of the customer it
 * belongs to, and reads as `REDACTED` (`"[redacted]"`) once that customer is forgotten
 * (`POST /admin/customers/:id/forget`). The other fields stay readable for ever: the account still
 * loads, with its balance.
 */
@EventType('bank.account-opened')
export class AccountOpened {
  /** Whose data this is: names the data key. Stored in clear, so an opaque id (never an e-mail address). */
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly owner: string;

  constructor(
    readonly accountId: string,
    owner: string,
    /** ISO 4217 code; every amount on the account is in this currency. */
    readonly currency: string,
    customerId: string,
  ) {
    this.owner = owner;
    this.customerId = customerId;
  }
}
