/**
 * The lifecycle group's customer events: the same fields twice, once with two personal-data fields
 * sealed under the customer's data key (`@PersonalData`, `@DataSubject`), once as a plain class, so
 * that the difference between their rows is what crypto-shredding costs an event.
 */
import { DataSubject, PersonalData } from '../lib/personal-data/personal-data.decorator.js';
import { EventType } from '../lib/serialization/event-type.decorator.js';

export interface PostalAddress {
  readonly street: string;
  readonly postcode: string;
  readonly city: string;
  readonly country: string;
}

/** What both classes hold. */
export interface CustomerDetails {
  readonly customerId: string;
  readonly email: string;
  readonly address: PostalAddress;
  readonly plan: string;
  readonly registeredAt: string;
}

/** The customer's e-mail address and postal address are personal data of the customer. */
@EventType('bench.customer-registered')
export class SealedCustomerRegistered implements CustomerDetails {
  @DataSubject() readonly customerId!: string;
  @PersonalData() readonly email!: string;
  @PersonalData() readonly address!: PostalAddress;
  readonly plan!: string;
  readonly registeredAt!: string;

  constructor(props: CustomerDetails) {
    Object.assign(this, props);
  }
}

/** The same event stored in clear. */
@EventType('bench.customer-registered.plain')
export class PlainCustomerRegistered implements CustomerDetails {
  readonly customerId!: string;
  readonly email!: string;
  readonly address!: PostalAddress;
  readonly plan!: string;
  readonly registeredAt!: string;

  constructor(props: CustomerDetails) {
    Object.assign(this, props);
  }
}

/** Customer `subject`'s details, a few hundred bytes of JSON like the other bench events. */
export function customerDetails(subject: string, n: number): CustomerDetails {
  return {
    customerId: subject,
    email: `customer.${n}@example.org`,
    address: { street: `${n % 300} Rue de la Paix`, postcode: String(75000 + (n % 20)), city: 'Paris', country: 'FR' },
    plan: n % 3 === 0 ? 'premium' : 'standard',
    registeredAt: '2026-01-01T10:00:00.000Z',
  };
}
