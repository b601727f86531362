import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventBus } from '@nestjs/cqrs';

/**
 * Republishes committed events on the @nestjs/cqrs EventBus so that `@EventsHandler`s and sagas
 * see them. The commit is already durable at this point: a handler that throws, synchronously or
 * not, is logged and never reaches the caller of `append`.
 */
@Injectable()
export class CommittedEventsPublisher {
  private readonly logger = new Logger('DynamoEventSourcing');

  constructor(@Optional() @Inject(EventBus) private readonly eventBus?: EventBus) {}

  /** Whether an EventBus is there to publish on (the app imported `CqrsModule.forRoot()`). */
  get enabled(): boolean {
    return this.eventBus !== undefined;
  }

  publish(events: readonly object[]): void {
    if (this.eventBus === undefined) return;
    try {
      const result: unknown = this.eventBus.publishAll([...events]);
      if (result instanceof Promise) result.catch((error: unknown) => this.reportFailure(error));
    } catch (error) {
      this.reportFailure(error);
    }
  }

  private reportFailure(error: unknown): void {
    this.logger.error('Publishing committed events on the EventBus failed; the commit itself stands.', error as Error);
  }
}
