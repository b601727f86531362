import { Logger } from '@nestjs/common';
import { EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { envelopeOf } from '../../lib/index.js';
import { TransferCompleted } from './events/transfer-completed.event.js';
import { TransferFailed } from './events/transfer-failed.event.js';

/** A notification as it would be handed to a mail or push service. */
export interface TransferNotification {
  readonly transferId: string;
  readonly text: string;
  /** The transfer's correlation id: the request that started it. */
  readonly correlationId: string | undefined;
}

/**
 * An ordinary @nestjs/cqrs event handler: it tells the customer how a transfer ended. It sees the
 * events this process committed, republished on the EventBus after the commit (a handler that
 * throws is logged and never undoes the commit). Here it logs, and keeps what it sent.
 */
@EventsHandler(TransferCompleted, TransferFailed)
export class TransferNotificationsHandler implements IEventHandler<TransferCompleted | TransferFailed> {
  private readonly logger = new Logger('Notifications');
  readonly sent: TransferNotification[] = [];

  handle(event: TransferCompleted | TransferFailed): void {
    const text =
      event instanceof TransferFailed
        ? `Transfer ${event.transferId} failed (${event.reason})${event.compensated ? '; the money was refunded' : ''}.`
        : `Transfer ${event.transferId} completed.`;
    this.sent.push({ transferId: event.transferId, text, correlationId: envelopeOf(event)?.correlationId });
    this.logger.log(text);
  }
}
