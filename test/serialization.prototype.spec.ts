import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateRoot, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import {
  everyNEvents,
  EventNotSerializableError,
  EventType,
  getAggregateRepositoryToken,
  NO_STREAM,
  SnapshotNotSerializableError,
  UnregisteredEventClassError,
  type AggregateRepository,
} from '../lib/index.js';
import { collect } from './support/event-store-app.js';
import { FLAVOURS, openFlavour, type StoreFlavour } from './support/store-flavours.js';

@EventType('proto.profile-updated')
class ProfileUpdated {
  constructor(
    readonly userId: string,
    readonly profile: Record<string, unknown>,
  ) {}
  describe(): string {
    return `profile of ${this.userId}`;
  }
}

class NotRegistered {
  constructor(readonly x: number) {}
}

/** What @EventsHandler routing delivers: it goes by the instance's class. */
const routed: object[] = [];
@EventsHandler(ProfileUpdated)
class ProfileUpdatedHandler implements IEventHandler<ProfileUpdated> {
  handle(event: ProfileUpdated): void {
    routed.push(event);
  }
}

class Member extends AggregateRoot {
  name = '';
  updates = 0;
  constructor(readonly id: string) {
    super();
  }
  update(profile: Record<string, unknown>): void {
    this.apply(new ProfileUpdated(this.id, profile));
  }
  onProfileUpdated(event: ProfileUpdated): void {
    this.name = String(event.profile.name);
    this.updates++;
  }
}

/** A request body as JSON.parse makes it: "__proto__" is an own key there, at every level. */
const body = (json: string) => JSON.parse(json) as Record<string, unknown>;

describe.each(FLAVOURS)('stored data never replaces a class (%s)', (flavour) => {
  let app: StoreFlavour;
  let streams = 0;
  const newStream = () => `proto-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await openFlavour(flavour, 'prototype', [ProfileUpdated], {
      aggregates: [{ type: Member, name: 'member', snapshots: { policy: everyNEvents(1000) } }],
      providers: [ProfileUpdatedHandler],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  async function refusedAppend(events: object[], metadata?: Record<string, unknown>): Promise<unknown> {
    const stream = newStream();
    const error = await app.store.append(stream, events, { expectedVersion: NO_STREAM, metadata }).catch((e: unknown) => e);
    expect(await collect(app.store.read(stream))).toEqual([]);
    return error;
  }

  it('refuses an own "__proto__" key in a payload, at any level, naming its path, and stores nothing', async () => {
    const nestedKey = await refusedAppend([new ProfileUpdated('u-1', body('{"name":"ann","__proto__":{"isAdmin":true}}'))]);
    expect(nestedKey).toBeInstanceOf(EventNotSerializableError);
    expect(nestedKey).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', eventType: 'proto.profile-updated', path: '$.profile.__proto__' });
    expect((nestedKey as Error).message).toMatch(/own "__proto__" key, which is refused/);

    const topLevel = Object.defineProperty(new ProfileUpdated('u-1', {}), '__proto__', { value: { isAdmin: true }, enumerable: true });
    expect(await refusedAppend([topLevel])).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', path: '$.__proto__' });
  });

  it('refuses an own "__proto__" key in the metadata and in a snapshot state, and stores nothing', async () => {
    const metadata = await refusedAppend([new ProfileUpdated('u-2', {})], body('{"request":{"__proto__":{"isAdmin":true}}}'));
    expect(metadata).toMatchObject({ code: 'EVENT_NOT_SERIALIZABLE', eventType: '(commit metadata)', path: '$.request.__proto__' });

    const stream = newStream();
    const snapshot = await app.snapshots.save(stream, 1, body('{"name":"ann","__proto__":{"isAdmin":true}}'), { revision: 1 }).catch((e: unknown) => e);
    expect(snapshot).toBeInstanceOf(SnapshotNotSerializableError);
    expect(snapshot).toMatchObject({ path: '$.__proto__' });
    expect(await app.snapshots.load(stream)).toBeUndefined();
  });

  it('stores and reads back a field named "constructor" as data; an unregistered class is named by its class, whatever its fields say', async () => {
    const stream = newStream();
    const event = Object.assign(new ProfileUpdated('u-3', { name: 'ann' }), { constructor: 'from a form' });
    await app.store.append(stream, [event], { expectedVersion: NO_STREAM });
    const [read] = await collect(app.store.read<ProfileUpdated>(stream));
    expect(read!.event).toBeInstanceOf(ProfileUpdated);
    expect(read!.event.describe()).toBe('profile of u-3');
    expect(Object.getOwnPropertyDescriptor(read!.event, 'constructor')?.value).toBe('from a form');

    const error = await refusedAppend([Object.assign(new NotRegistered(1), { constructor: ProfileUpdated })]);
    expect(error).toBeInstanceOf(UnregisteredEventClassError);
    expect((error as Error).message).toMatch(/Event class "NotRegistered" has no stable type name/);
  });
});

describe('stored data with "__proto__" keys, written past the module (DynamoDB)', () => {
  let app: StoreFlavour;
  let streams = 0;
  const newStream = () => `proto-raw-${++streams}-${Date.now()}`;

  beforeAll(async () => {
    app = await openFlavour('DynamoDB', 'prototype-raw', [ProfileUpdated], {
      aggregates: [{ type: Member, name: 'member', snapshots: { policy: everyNEvents(1000) } }],
      providers: [ProfileUpdatedHandler],
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('reads an event whose data has "__proto__" keys as an instance of its class: the keys stay own data, routing finds its handler', async () => {
    const stream = newStream();
    await app.raw!.putCommit(
      stream,
      ['{"type":"proto.profile-updated","data":{"userId":"u-9","__proto__":{"userId":"mallory","isAdmin":true},"profile":{"__proto__":{"isAdmin":true}}}}'],
      '{"source":"import","__proto__":{"isAdmin":true}}',
    );
    const [read] = await collect(app.store.read<ProfileUpdated>(stream));
    const event = read!.event;
    expect(Object.getPrototypeOf(event)).toBe(ProfileUpdated.prototype);
    expect(event).toBeInstanceOf(ProfileUpdated);
    expect(event.describe()).toBe('profile of u-9');
    expect(event.userId).toBe('u-9');
    expect((event as unknown as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(event, '__proto__')?.value).toEqual({ userId: 'mallory', isAdmin: true });
    expect(Object.getPrototypeOf(event.profile)).toBe(Object.prototype);
    expect(event.profile.isAdmin).toBeUndefined();
    expect(Object.getPrototypeOf(read!.metadata)).toBe(Object.prototype);
    expect(read!.metadata.isAdmin).toBeUndefined();
    expect(Object.keys(read!.metadata)).toEqual(['source', '__proto__']);

    routed.length = 0;
    app.eventBus.publish(event);
    expect(routed).toEqual([event]);
  });

  it('restores an aggregate from a snapshot state with a "__proto__" key as an instance of its class', async () => {
    const members = app.module.get<AggregateRepository<Member>>(getAggregateRepositoryToken(Member));
    const id = `m-${Date.now()}`;
    const member = new Member(id);
    member.update({ name: 'ann' });
    member.update({ name: 'bea' });
    await members.save(member); // version 2, no snapshot yet (every 1000 events)
    await app.raw!.putSnapshot(`member-${id}`, 2, `{"id":"${id}","name":"from the snapshot","updates":2,"__proto__":{"updates":1000,"update":null}}`);

    const loaded = (await members.load(id))!;
    expect(Object.getPrototypeOf(loaded)).toBe(Member.prototype);
    expect(loaded).toBeInstanceOf(Member);
    expect(loaded.name).toBe('from the snapshot');
    expect(loaded.updates).toBe(2);
    expect(Object.getOwnPropertyDescriptor(loaded, '__proto__')?.value).toEqual({ updates: 1000, update: null });
    loaded.update({ name: 'cy' }); // its methods are its class's
    expect(loaded.updates).toBe(3);
    expect((await members.save(loaded))?.version).toBe(3);
  });
});
