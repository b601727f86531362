/**
 * Must compile: the typings of isEvent, eventTypes, replay()/replayAll() and @ProjectionHandler
 * accept what they should, and hand out the types they promise. Compiled by test/types.spec.ts
 * (and by `tsc -p tsconfig.json`), never run.
 */
import type { Observable } from 'rxjs';
import { handleInOrder, isEvent, Projection, ProjectionHandler, type EventEnvelope, type EventStore, type FeedEvent, type ReplayAllResult, type ReplayResult } from '../../lib/index.js';
import type { InMemoryEventStore } from '../../lib/testing/index.js';
import { assertType, Deposited, Opened, Withdrawn, type Equals, type Same } from './type-checks.js';

declare const store: EventStore;
declare const memory: InMemoryEventStore;
declare const envelope: EventEnvelope;
declare const feedEvent: FeedEvent;

// isEvent narrows the whole envelope, keeping its kind and other fields.
if (isEvent(envelope, Opened)) {
  assertType<Same<typeof envelope.event, Opened>>(true);
  const owner: string = envelope.event.owner;
  const version: number = envelope.version;
  void [owner, version];
}
if (isEvent(feedEvent, Deposited, Withdrawn)) {
  assertType<Same<typeof feedEvent.event, Deposited | Withdrawn>>(true);
  const checkpoint: string = feedEvent.checkpoint;
  const typed: FeedEvent<Deposited | Withdrawn> = feedEvent;
  void [checkpoint, typed];
}
declare const either: FeedEvent<Opened | Deposited>;
if (isEvent(either, Deposited)) {
  const amount: number = either.event.deposited;
  void amount;
}

// eventTypes as classes type the replay; names, or no list, leave it `object`; an explicit type argument still wins.
assertType<Equals<ReturnType<typeof store.replayAll$<never, [typeof Opened, typeof Deposited]>>, Observable<FeedEvent<Opened | Deposited>>>>(true);
const both = store.replayAll$({ pageSize: 10, eventTypes: [Opened, Deposited] });
assertType<Equals<typeof both, Observable<FeedEvent<Opened | Deposited>>>>(true);
const byName = store.replayAll$({ pageSize: 10, eventTypes: ['Opened'] });
assertType<Equals<typeof byName, Observable<FeedEvent<object>>>>(true);
const mixed = store.replayAll$({ pageSize: 10, eventTypes: [Opened, 'Deposited'] });
assertType<Equals<typeof mixed, Observable<FeedEvent<object>>>>(true);
const all = store.replayAll$({ pageSize: 10 });
assertType<Equals<typeof all, Observable<FeedEvent<object>>>>(true);
const explicit = store.replayAll$<Withdrawn>({ pageSize: 10 });
assertType<Equals<typeof explicit, Observable<FeedEvent<Withdrawn>>>>(true);
const stream = store.replay$('account-1', { pageSize: 10, eventTypes: [Withdrawn] });
assertType<Equals<typeof stream, Observable<EventEnvelope<Withdrawn>>>>(true);
const streamAll = store.replay$('account-1', { pageSize: 10 });
assertType<Equals<typeof streamAll, Observable<EventEnvelope<object>>>>(true);
const streamExplicit = store.replay$<Opened>('account-1', { pageSize: 10 });
assertType<Equals<typeof streamExplicit, Observable<EventEnvelope<Opened>>>>(true);
const inMemory = memory.replayAll$({ pageSize: 10, eventTypes: [Deposited] });
assertType<Equals<typeof inMemory, Observable<FeedEvent<Deposited>>>>(true);

// handleInOrder directly on the typed Observable gets the typed envelope.
store.replay$('account-1', { pageSize: 10, eventTypes: [Opened] }).pipe(handleInOrder(async ({ event }) => event.owner));

// The promise forms: the handler is typed by eventTypes; wider handlers, sync or async, returning anything, fit.
async function promises(): Promise<void> {
  const result = await store.replay('account-1', ({ event }) => event.deposited, { pageSize: 10, eventTypes: [Deposited] });
  assertType<Equals<typeof result, ReplayResult>>(true);
  const feed = await store.replayAll(async (e) => e.event.owner + e.checkpoint, { pageSize: 10, eventTypes: [Opened], from: result.lastVersion > 0 ? 'x' : undefined });
  assertType<Equals<typeof feed, ReplayAllResult>>(true);
  await store.replay('account-1', (e: EventEnvelope<Opened | Deposited>) => e.version, { pageSize: 10, eventTypes: [Opened] });
  await store.replay('account-1', (e: EventEnvelope) => e.event, { pageSize: 10 });
  await store.replay('account-1', () => undefined, { pageSize: 10, signal: new AbortController().signal });
  await store.replayAll((e: FeedEvent) => e.checkpoint, { pageSize: 10, eventTypes: ['Opened'] });
  await memory.replay('account-1', ({ event }) => event.withdrawn, { pageSize: 10, eventTypes: [Withdrawn] });
  await memory.replayAll(({ event }) => assertType<Equals<typeof event, object>>(true), { pageSize: 10 });
}
void promises;

// @ProjectionHandler accepts methods whose parameters take the listed classes (or wider), with fewer parameters, async or returning values.
@Projection('typed-handlers')
export class TypedHandlers {
  @ProjectionHandler(Opened)
  exact(event: Opened, envelope: FeedEvent<Opened>): void {
    void [event, envelope];
  }

  @ProjectionHandler(Deposited, Withdrawn)
  union(event: Deposited | Withdrawn, envelope: FeedEvent<Deposited | Withdrawn>): void {
    void [event, envelope];
  }

  @ProjectionHandler(Deposited)
  wider(event: object, envelope: FeedEvent): number {
    void [event, envelope];
    return 1;
  }

  @ProjectionHandler(Opened, Deposited)
  eventOnly(event: Opened | Deposited | Withdrawn): string {
    return isEvent({ event }, Opened) ? 'opened' : 'other';
  }

  @ProjectionHandler(Withdrawn)
  async nothing(): Promise<number> {
    return 1;
  }

  @ProjectionHandler(Opened)
  private async privately(event: Opened): Promise<void> {
    void event.owner;
  }
}
