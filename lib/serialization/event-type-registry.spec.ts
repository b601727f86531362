import { describe, expect, it } from '@jest/globals';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnknownEventTypeError } from '../errors/unknown-event-type.error.js';
import { UnregisteredEventClassError } from '../errors/unregistered-event-class.error.js';
import { InvalidArgumentError } from '../errors/invalid-argument.error.js';
import { StreamDeleted } from '../lifecycle/stream-deleted.event.js';
import { EventType } from './event-type.decorator.js';
import { EventTypeRegistry } from './event-type-registry.js';
import type { EventSerializer } from './interfaces/event-serializer.interface.js';

@EventType('bank.account-opened')
class AccountOpened {
  constructor(readonly owner: string) {}
  describe(): string {
    return `opened by ${this.owner}`;
  }
}
class MoneyDeposited {
  constructor(readonly amount: number) {}
}
class Undecorated {
  constructor(readonly x: number) {}
}

const fail = (registrations: ConstructorParameters<typeof EventTypeRegistry>[0]) => () => new EventTypeRegistry(registrations);

describe('EventTypeRegistry', () => {
  it("knows StreamDeleted under the reserved name '$streamDeleted' in every registry; an app cannot take the name or append one", () => {
    for (const registry of [new EventTypeRegistry(), new EventTypeRegistry([AccountOpened])]) {
      expect(registry.resolve('$streamDeleted').type).toBe(StreamDeleted);
      expect(registry.findClass(StreamDeleted)?.name).toBe('$streamDeleted');
      const event = registry.resolve('$streamDeleted').decode({ mode: 'hard', deletedVersion: 7 }, undefined, 'account-1', 8);
      expect(event).toBeInstanceOf(StreamDeleted);
      expect(event).toEqual(Object.assign(Object.create(StreamDeleted.prototype) as object, { mode: 'hard', deletedVersion: 7 }));
      expect(() => registry.typeOf(new StreamDeleted('soft', 1))).toThrow(InvalidArgumentError);
    }
    class Impostor {}
    expect(fail([{ name: '$streamDeleted', type: Impostor }])).toThrow(InvalidModuleOptionsError);
  });

  it('names classes by their @EventType or by an explicit name, never by their class name', () => {
    const registry = new EventTypeRegistry([AccountOpened, { name: 'bank.deposited.v1', type: MoneyDeposited }]);
    expect(registry.typeNameOf(new AccountOpened('ann'))).toBe('bank.account-opened');
    expect(registry.typeNameOf(new MoneyDeposited(5))).toBe('bank.deposited.v1');
    expect(() => registry.resolve('AccountOpened')).toThrow(UnknownEventTypeError);
  });

  it('refuses at start-up a class with neither @EventType nor an explicit name, naming it and the fix', () => {
    expect(fail([Undecorated])).toThrow(InvalidModuleOptionsError);
    expect(fail([Undecorated])).toThrow(/class Undecorated without a stable type name\. Decorate it with @EventType\('<name>'\) or register it as \{ name: '<name>', type: Undecorated \}/);
    expect(fail([{ type: Undecorated } as never])).toThrow(/class Undecorated without a stable type name/);
  });

  it('does not let a subclass inherit its parent\'s @EventType', () => {
    class Renamed extends AccountOpened {}
    expect(fail([Renamed])).toThrow(/class Renamed without a stable type name/);
  });

  it('rebuilds real class instances without calling their constructors', () => {
    const registry = new EventTypeRegistry([AccountOpened]);
    const event = registry.resolve('bank.account-opened').decode({ owner: 'bob' }, undefined, 's', 1);
    expect(event).toBeInstanceOf(AccountOpened);
    expect((event as AccountOpened).describe()).toBe('opened by bob');
  });

  it('stores "rev" only above revision 1', () => {
    @EventType('r2', { revision: 2, upcasters: { 1: (data) => data } })
    class AtRevision2 {
      readonly a = 1;
    }
    const registry = new EventTypeRegistry([AccountOpened, AtRevision2]);
    expect(registry.typeOf(new AccountOpened('ann')).encode(new AccountOpened('ann'))).toBe('{"type":"bank.account-opened","data":{"owner":"ann"}}');
    expect(registry.typeOf(new AtRevision2()).encode(new AtRevision2())).toBe('{"type":"r2","rev":2,"data":{"a":1}}');
  });

  it('reads former names (aliases) as the class, under its current name', () => {
    const registry = new EventTypeRegistry([{ name: 'bank.money-deposited', type: MoneyDeposited, aliases: ['MoneyDeposited', 'deposit'] }]);
    for (const stored of ['bank.money-deposited', 'MoneyDeposited', 'deposit']) {
      const registered = registry.resolve(stored);
      expect(registered.name).toBe('bank.money-deposited');
      expect(registered.decode({ amount: 3 }, undefined, 's', 1)).toEqual(new MoneyDeposited(3));
    }
  });

  it('adds the aliases of a registration to those of the decorator', () => {
    @EventType('bank.renamed', { aliases: ['Legacy'] })
    class Renamed {}
    const registry = new EventTypeRegistry([{ name: 'bank.renamed', type: Renamed, aliases: ['Older'] }]);
    expect(registry.resolve('Legacy').name).toBe('bank.renamed');
    expect(registry.resolve('Older').name).toBe('bank.renamed');
  });

  it('refuses unregistered classes and plain objects on append', () => {
    const registry = new EventTypeRegistry([AccountOpened]);
    expect(() => registry.typeNameOf(new MoneyDeposited(1))).toThrow(UnregisteredEventClassError);
    expect(() => registry.typeNameOf({ amount: 1 })).toThrow(/"Object" has no stable type name/);
  });

  it('knows an instance by its prototype, not by a field named "constructor" (which it stores and reads back as data)', () => {
    const registry = new EventTypeRegistry([AccountOpened]);
    const event = Object.assign(new AccountOpened('ann'), { constructor: 'a field from a request body' });
    const entry = registry.typeOf(event).encode(event);
    expect(entry).toBe('{"type":"bank.account-opened","data":{"owner":"ann","constructor":"a field from a request body"}}');
    const read = registry.resolve('bank.account-opened').decode((JSON.parse(entry) as { data: object }).data, undefined, 's', 1) as AccountOpened;
    expect(read).toBeInstanceOf(AccountOpened);
    expect(read.describe()).toBe('opened by ann');
    expect(Object.getOwnPropertyDescriptor(read, 'constructor')?.value).toBe('a field from a request body');
    // An unregistered class is named by its prototype, whatever its fields say.
    expect(() => registry.typeOf(Object.assign(new MoneyDeposited(1), { constructor: AccountOpened }))).toThrow(/Event class "MoneyDeposited" has no stable type name/);
    expect(() => registry.typeOf({ constructor: 'x' })).toThrow(/"Object" has no stable type name/);
    expect(() => registry.typeOf(Object.create(null) as object)).toThrow(/"Object \(with a null prototype\)" has no stable type name/);
  });

  it('names the unknown type, stream and version on read', () => {
    const registry = new EventTypeRegistry();
    expect(() => registry.resolve('Gone', 's-1', 7)).toThrow(UnknownEventTypeError);
    expect(() => registry.resolve('Gone', 's-1', 7)).toThrow(/"Gone" \(stream "s-1", version 7\)/);
  });

  it('refuses one name for two classes, two names for one class, and an alias taken by another class', () => {
    expect(fail([{ name: 'X', type: AccountOpened }, { name: 'X', type: MoneyDeposited }])).toThrow(InvalidModuleOptionsError);
    expect(fail([{ name: 'X', type: MoneyDeposited }, { name: 'Y', type: MoneyDeposited }])).toThrow(/two names/);
    expect(fail([AccountOpened, { name: 'dep', type: MoneyDeposited, aliases: ['bank.account-opened'] }])).toThrow(
      /"bank.account-opened" for two classes \(AccountOpened and MoneyDeposited\)/,
    );
    expect(fail([{ name: 'dep', type: MoneyDeposited, aliases: ['dep'] }])).toThrow(/both as the name and as an alias/);
    expect(fail([{ name: 'dep', type: MoneyDeposited, aliases: [''] }])).toThrow(/aliases as an array of non-empty type names/);
  });

  it('refuses an explicit name that contradicts the @EventType one', () => {
    expect(fail([{ name: 'other', type: AccountOpened }])).toThrow(/registers class AccountOpened as "other", but its @EventType says "bank.account-opened"/);
  });

  it('accepts the same registration twice but not two different ones for one class', () => {
    expect(() => new EventTypeRegistry([AccountOpened, AccountOpened, { name: 'bank.account-opened', type: AccountOpened }])).not.toThrow();
    expect(fail([AccountOpened, { name: 'bank.account-opened', type: AccountOpened, aliases: ['old'] }])).toThrow(/twice with different options/);
  });

  it('lets a registration object override the decorator\'s options', () => {
    const registry = new EventTypeRegistry([{ name: 'bank.account-opened', type: AccountOpened, aliases: ['AccountOpened'] }]);
    expect(registry.resolve('AccountOpened').type).toBe(AccountOpened);
  });

  it('refuses bad registrations with a message naming the class', () => {
    expect(fail(['AccountOpened' as never])).toThrow(/decorated with @EventType or \{ name, type \} objects; got "AccountOpened"/);
    expect(fail([{ name: '', type: MoneyDeposited }])).toThrow(/non-empty type name for class MoneyDeposited/);
    expect(fail([{ name: 'd', type: MoneyDeposited, revison: 2 } as never])).toThrow(/unknown key "revison" in the registration of class MoneyDeposited/);
    expect(fail([{ name: 'd', type: MoneyDeposited, serializer: { serialize: () => ({}) } as never }])).toThrow(/serialize\(event\) and deserialize\(data\)/);
    @EventType('typo', { revison: 2 } as never)
    class WithTypo {}
    expect(fail([WithTypo])).toThrow(/unknown key "revison" in the @EventType options of class WithTypo/);
    expect(fail([{ name: 'd', type: MoneyDeposited, revision: 0 }])).toThrow(/revision that is a whole number >= 1; got 0 \(class MoneyDeposited, type "d"\)/);
  });

  it('hands custom serializers the data and where it comes from', () => {
    const seen: unknown[] = [];
    const serializer: EventSerializer<MoneyDeposited, { cents: number }> = {
      serialize: (event) => ({ cents: event.amount * 100 }),
      deserialize: (data, context) => {
        seen.push(context);
        return new MoneyDeposited(data.cents / 100);
      },
    };
    const registry = new EventTypeRegistry([{ name: 'dep', type: MoneyDeposited, serializer, aliases: ['old-dep'] }]);
    expect(registry.typeOf(new MoneyDeposited(2)).encode(new MoneyDeposited(2))).toBe('{"type":"dep","data":{"cents":200}}');
    expect(registry.resolve('old-dep').decode({ cents: 150 }, undefined, 's-9', 4)).toEqual(new MoneyDeposited(1.5));
    expect(seen).toEqual([{ eventType: 'dep', streamId: 's-9', version: 4 }]);
  });

  describe('classes known by their @EventType alone (no `events` list)', () => {
    @EventType('catalog.card-issued', { aliases: ['catalog.card-created'] })
    class CardIssued {
      constructor(readonly cardId: string) {}
    }

    it('registers a decorated class at its first append, read or lookup', () => {
      const appending = new EventTypeRegistry();
      expect(appending.typeNameOf(new CardIssued('c-1'))).toBe('catalog.card-issued');
      const reading = new EventTypeRegistry();
      expect(reading.resolve('catalog.card-issued').decode({ cardId: 'c-2' }, undefined, 's', 1)).toEqual(new CardIssued('c-2'));
      expect(new EventTypeRegistry().resolve('catalog.card-created').type).toBe(CardIssued); // by its former name
      expect(new EventTypeRegistry().findClass(CardIssued)?.name).toBe('catalog.card-issued');
    });

    it('still refuses an undecorated class and a name no loaded class declares, naming the fix', () => {
      expect(() => new EventTypeRegistry().typeOf(new MoneyDeposited(1))).toThrow(/"MoneyDeposited" has no stable type name\. Decorate it with @EventType\('<name>'\)/);
      expect(new EventTypeRegistry().findClass(MoneyDeposited)).toBeUndefined();
      expect(() => new EventTypeRegistry().resolve('catalog.never-declared')).toThrow(/none of the loaded classes is decorated with @EventType\('catalog\.never-declared'\)/);
    });

    it('asks for a listing when two loaded classes declare one name, and lets the listed one win', () => {
      @EventType('catalog.twice')
      class First {}
      @EventType('catalog.twice')
      class Second {}
      expect(() => new EventTypeRegistry().resolve('catalog.twice')).toThrow(/the loaded classes First and Second are each decorated with it/);
      // The same whichever way the name is met first: an append does not settle what a read refuses.
      expect(() => new EventTypeRegistry().typeOf(new First())).toThrow(/the loaded classes First and Second are each decorated with it/);
      expect(new EventTypeRegistry([Second]).resolve('catalog.twice').type).toBe(Second);
      expect(new EventTypeRegistry([First]).typeNameOf(new First())).toBe('catalog.twice');
    });

    it('takes a class loaded again (same class name: a hot reload, a fresh module registry) as the latest copy', () => {
      const load = () => {
        @EventType('catalog.reloaded')
        class Reloaded {
          constructor(readonly n: number) {}
        }
        return Reloaded;
      };
      const [, latest] = [load(), load()];
      expect(new EventTypeRegistry().resolve('catalog.reloaded').type).toBe(latest);
      expect(new EventTypeRegistry().typeNameOf(new latest(1))).toBe('catalog.reloaded');
    });

    it('forgets the names a class declared before a second @EventType replaced them', () => {
      @EventType('catalog.before')
      class Redeclared {}
      EventType('catalog.after')(Redeclared);
      expect(new EventTypeRegistry().find('catalog.before')).toBeUndefined();
      expect(new EventTypeRegistry().resolve('catalog.after').type).toBe(Redeclared);
    });
  });
});
