/**
 * Must not compile, line by line: each `@ts-expect-error` marks a line the typings must refuse
 * (TypeScript reports one that finds no error, so a loosened typing fails the compile). Compiled
 * by test/types.spec.ts (and by `tsc -p tsconfig.json`), never run.
 */
import { isEvent, Projection, ProjectionHandler, type EventEnvelope, type EventStore, type FeedEvent } from '../../lib/index.js';
import type { Observable } from 'rxjs';
import type { InMemoryEventStore } from '../../lib/testing/index.js';
import { Deposited, Opened, Withdrawn } from './type-checks.js';

declare const store: EventStore;
declare const memory: InMemoryEventStore;
declare const envelope: FeedEvent;

// isEvent narrows to the classes given, and to nothing else.
if (isEvent(envelope, Opened)) {
  // @ts-expect-error an Opened envelope has no deposited amount
  void envelope.event.deposited;
}
// @ts-expect-error without isEvent, the event is only an object
void envelope.event.owner;
// @ts-expect-error isEvent needs at least one class
isEvent(envelope);
// @ts-expect-error isEvent takes classes, not type names
isEvent(envelope, 'Opened');

// eventTypes types the replay: it cannot be taken for another event type. (A type argument, given or
// inferred from where the result goes, still wins unchecked, as before eventTypes typed anything.)
const opened = store.replayAll$({ pageSize: 10, eventTypes: [Opened] });
// @ts-expect-error the feed of Opened events is not one of Deposited events
const deposits: Observable<FeedEvent<Deposited>> = opened;
const depositedOnly = store.replay$('account-1', { pageSize: 10, eventTypes: [Deposited] });
// @ts-expect-error the same for one stream
const withdrawals: Observable<EventEnvelope<Withdrawn>> = depositedOnly;
const unfiltered = store.replay$('account-1', { pageSize: 10 });
// @ts-expect-error without eventTypes, events are only objects
const allOpened: Observable<EventEnvelope<Opened>> = unfiltered;
// @ts-expect-error eventTypes lists classes or names
store.replayAll$({ pageSize: 10, eventTypes: [42] });
void [deposits, withdrawals, allOpened];

// The handler of replay()/replayAll() takes what eventTypes selects, no narrower.
async function handlers(): Promise<void> {
  // @ts-expect-error a handler of Opened events only, for Opened and Deposited ones
  await store.replay('account-1', (e: EventEnvelope<Opened>) => e.event.owner, { pageSize: 10, eventTypes: [Opened, Deposited] });
  // @ts-expect-error a handler of Deposited events, without eventTypes: it would get every type
  await store.replayAll((e: FeedEvent<Deposited>) => e.event.deposited, { pageSize: 10 });
  // @ts-expect-error a handler of Deposited events, for events listed by name (unchecked)
  await memory.replayAll((e: FeedEvent<Deposited>) => e.event.deposited, { pageSize: 10, eventTypes: ['Deposited'] });
  // @ts-expect-error the handler's event is what eventTypes lists
  await store.replay('account-1', ({ event }) => event.owner, { pageSize: 10, eventTypes: [Deposited] });
  // @ts-expect-error replay() needs its options (pageSize)
  await store.replay('account-1', () => undefined);
}
void handlers;

@Projection('mistyped-handlers')
export class MistypedHandlers {
  // @ts-expect-error the method handles Deposited events, the decorator lists Opened
  @ProjectionHandler(Opened)
  other(event: Deposited): void {
    void event;
  }

  // @ts-expect-error the method takes Opened events only, the decorator also lists Deposited
  @ProjectionHandler(Opened, Deposited)
  narrower(event: Opened): void {
    void event;
  }

  // @ts-expect-error the envelope is one of Opened or Deposited events, not only Opened
  @ProjectionHandler(Opened, Deposited)
  narrowerEnvelope(event: Opened | Deposited, envelope: FeedEvent<Opened>): void {
    void [event, envelope];
  }
}
