import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ANY, EventStore, WithCommandMetadata, type ErasureReport } from '../../../lib/index.js';
import { CustomerForgotten, customerStreamId } from '../events/customer-forgotten.event.js';
import { ForgetCustomer } from './forget-customer.command.js';

/**
 * `EventStore.forgetSubject` deletes the customer's data key: every `@PersonalData()` field sealed
 * under it (the owner's name on `AccountOpened`, in events, snapshots and the feed) reads as
 * `REDACTED` in every process from the next read on, and accounts still load with their balances.
 *
 * The event store cannot reach what read models copied while the names were readable, so a
 * `CustomerForgotten` event follows, for projections to forget their copies. Forgetting first:
 * should the append fail, the request fails and can be sent again (forgetting twice is harmless),
 * and a rebuilt read model reads the names redacted anyway.
 */
@CommandHandler(ForgetCustomer)
export class ForgetCustomerHandler implements ICommandHandler<ForgetCustomer> {
  constructor(private readonly events: EventStore) {}

  @WithCommandMetadata()
  async execute({ customerId }: ForgetCustomer): Promise<ErasureReport> {
    const report = await this.events.forgetSubject(customerId);
    await this.events.append(customerStreamId(customerId), [new CustomerForgotten(customerId)], { expectedVersion: ANY });
    return report;
  }
}
