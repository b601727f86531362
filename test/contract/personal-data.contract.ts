import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateRoot } from '@nestjs/cqrs';
import {
  DataSubject,
  EventType,
  everyNEvents,
  FEED_START,
  InvalidArgumentError,
  InvalidModuleOptionsError,
  NO_STREAM,
  PersonalData,
  PersonalDataDisabledError,
  PersonalDataKeyMissingError,
  REDACTED,
  SubjectForgottenError,
  type AggregateRepository,
  type DynamoEventSourcingFeatureOptions,
  type EventEnvelope,
  type EventStore,
  type PersonalDataOptions,
  type SnapshotRepository,
} from '../../lib/index.js';

@EventType('pdc.customer-registered')
export class ContractCustomerRegistered {
  @DataSubject() readonly customerId: string;
  @PersonalData() readonly email: string;
  @PersonalData() readonly address: { street: string; zip: number };
  @PersonalData() readonly birthDate?: Date;
  readonly plan: string;

  constructor(customerId: string, email: string, address: { street: string; zip: number }, plan: string, birthDate?: Date) {
    this.customerId = customerId;
    this.email = email;
    this.address = address;
    this.plan = plan;
    this.birthDate = birthDate;
  }
}

/** Declared in the module's options (`personalData.types`), with a nested subject and a nested field. */
@EventType('pdc.order-placed')
export class ContractOrderPlaced {
  constructor(
    readonly orderId: string,
    readonly customer: { id: string; name: string },
    readonly total: number,
  ) {}
}

/** Personal data and no subject: refused at its first append (it is not listed in `events`). */
@EventType('pdc.no-subject')
class ContractNewsletterSubscribed {
  @PersonalData() readonly email: string;
  constructor(email: string) {
    this.email = email;
  }
}

/** An aggregate whose snapshots (one per event) are sealed whole under its subject's key. */
export class ContractCustomer extends AggregateRoot {
  email = '';
  plan = '';
  constructor(readonly id: string) {
    super();
  }
  register(email: string): void {
    this.apply(new ContractCustomerRegistered(this.id, email, { street: 'Main St 1', zip: 1000 }, 'gold'));
  }
  onContractCustomerRegistered(event: ContractCustomerRegistered): void {
    this.email = event.email;
    this.plan = event.plan;
  }
}

/** The contract's events, for the module's `events` option. */
export const PERSONAL_DATA_CONTRACT_EVENTS = [ContractCustomerRegistered, ContractOrderPlaced];
/** The `personalData.types` every store under contract is given. */
export const PERSONAL_DATA_CONTRACT_TYPES: PersonalDataOptions['types'] = { 'pdc.order-placed': { subject: 'customer.id', fields: ['customer.name'] } };
/** The feature every store under contract is given (the module needs `snapshots: {}`): streams `pdcCustomer-<id>`. */
export const PERSONAL_DATA_CONTRACT_FEATURE: DynamoEventSourcingFeatureOptions = {
  aggregates: [{ type: ContractCustomer, name: 'pdcCustomer', snapshots: { policy: everyNEvents(1), subject: (state) => state.id as string } }],
};

/** What the contract holds a store to: the public API of the DynamoDB `EventStore`. */
export type PersonalDataContractStore = Pick<EventStore, 'append' | 'read' | 'replay' | 'replayAll' | 'forgetSubject'>;

/** A store with the contract's events, types and feature, and crypto-shredding on. */
export interface PersonalDataStoreUnderTest {
  readonly store: PersonalDataContractStore;
  readonly customers: AggregateRepository<ContractCustomer>;
  /** The module's snapshot repository: snapshots as stored. */
  readonly snapshots: Pick<SnapshotRepository, 'load'>;
  /** Resolves once a feed read started afterwards sees every commit made before the call. */
  settle(): Promise<void>;
  /** Everything stored (events, snapshots, keys) as one text: what an export of the tables would show. */
  rawText(): Promise<string>;
  /** Deletes the subject's key item as a hand-made delete would: a lost key, not an erasure. */
  loseKey(subjectId: string): Promise<void>;
  /** An app like this one without the `personalData` option. */
  openWithoutPersonalData(): Promise<{ store: PersonalDataContractStore; close(): Promise<void> }>;
  close(): Promise<void>;
}

const ANN = 'ann@example.com';
const BOB = 'bob@example.com';
const STREET = 'Rue des Secrets 7';
const NAME = 'Ann Example';
/** A sealed value in the stored JSON, as text inside JSON (its quotes escaped). */
const SEALED_OF_C1 = /\{\\"\$pd\\":1,\\"s\\":\\"c-1\\",\\"c\\":\\"[A-Za-z0-9_-]+\\"\}/;
const isIsoTime = (value: unknown): boolean => typeof value === 'string' && new Date(value).toISOString() === value;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/**
 * Crypto-shredding as every EventStore implementation does it (the DynamoDB one and the in-memory
 * one), through the public API: personal fields stored sealed and read back plain by every read,
 * `forgetSubject` redacting them in reads, replays, the feed and aggregates (whose sealed snapshots
 * become unusable), forgotten subjects' appends refused, a lost key told apart from an erasure, and
 * bad input refused with nothing written. What needs two processes is tested on DynamoDB only.
 */
export function describePersonalDataContract(name: string, open: () => Promise<PersonalDataStoreUnderTest>): void {
  describe(`Crypto-shredding contract: ${name}`, () => {
    let subject: PersonalDataStoreUnderTest;
    let store: PersonalDataContractStore;

    const eventsOf = async (streamId: string, direction: 'forward' | 'backward' = 'forward') =>
      (await collect(store.read(streamId, { direction }))).map((envelope: EventEnvelope) => envelope.event);
    const replayed = async (streamId: string) => {
      const events: object[] = [];
      await store.replay(streamId, ({ event }) => void events.push(event), { pageSize: 10 });
      return events;
    };
    const fed = async (streamPrefix: string) => {
      await subject.settle();
      const events: object[] = [];
      await store.replayAll(({ event }) => void events.push(event), { from: FEED_START, pageSize: 100, streamPrefix });
      return events;
    };

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });

    afterAll(async () => {
      await subject?.close();
    });

    it('stores personal fields sealed, reads them back plain (read, backward, replay, feed), and recognizes a retried append', async () => {
      const birthDate = new Date('1990-02-03T00:00:00.000Z');
      const append = () =>
        store.append('pdc-c1-customer', [new ContractCustomerRegistered('c-1', ANN, { street: STREET, zip: 75002 }, 'gold', birthDate), new ContractOrderPlaced('o-1', { id: 'c-1', name: NAME }, 42)], {
          expectedVersion: NO_STREAM,
          commitId: 'pdc-register-c1',
        });
      const result = await append();
      // Synthetic IVs: the retry's sealed values are byte-identical, so it is a duplicate, not a CommitIdReusedError.
      expect(await append()).toMatchObject({ duplicate: true, version: result.version });

      const plain = [
        { customerId: 'c-1', email: ANN, address: { street: STREET, zip: 75002 }, plan: 'gold', birthDate },
        { orderId: 'o-1', customer: { id: 'c-1', name: NAME }, total: 42 },
      ];
      const read = await eventsOf('pdc-c1-customer');
      expect(read[0]).toBeInstanceOf(ContractCustomerRegistered);
      expect((read[0] as ContractCustomerRegistered).birthDate).toEqual(birthDate);
      expect(read).toMatchObject(plain);
      expect(await eventsOf('pdc-c1-customer', 'backward')).toMatchObject([...plain].reverse());
      expect(await replayed('pdc-c1-customer')).toMatchObject(plain);
      expect(await fed('pdc-c1-')).toMatchObject(plain);

      const raw = await subject.rawText();
      for (const plaintext of [ANN, STREET, '75002', NAME, '1990-02-03']) expect(raw).not.toContain(plaintext);
      expect(raw).toContain('gold'); // not personal: stored as it was
      expect(raw).toMatch(SEALED_OF_C1);
    });

    it('forgets a subject: REDACTED in reads, replays, the feed and aggregates (its sealed snapshot unusable), others untouched, its appends refused', async () => {
      const customer = new ContractCustomer('c-2');
      customer.register(BOB);
      await subject.customers.save(customer); // and a sealed snapshot (everyNEvents(1))
      await store.append('pdc-c2-orders', [new ContractOrderPlaced('o-2', { id: 'c-2', name: 'Bob Example' }, 7)], { expectedVersion: NO_STREAM });
      await store.append('pdc-c2-profile', [new ContractCustomerRegistered('c-2', BOB, { street: 'x', zip: 9 }, 'basic', new Date('1985-01-01T00:00:00.000Z'))], { expectedVersion: NO_STREAM });
      expect(await subject.snapshots.load('pdcCustomer-c-2')).toMatchObject({ version: 1, state: { $pd: 1, s: 'c-2' } });
      expect(await subject.rawText()).not.toContain(BOB);
      expect((await subject.customers.load('c-2'))?.email).toBe(BOB);
      // Read once in plain by every path (a store that kept what it learnt of the keys would now hold them).
      for (const streamId of ['pdcCustomer-c-2', 'pdc-c2-orders', 'pdc-c2-profile']) {
        expect(JSON.stringify([await eventsOf(streamId), await replayed(streamId), await fed(streamId)])).toContain(streamId === 'pdc-c2-orders' ? 'Bob Example' : BOB);
      }

      const report = await store.forgetSubject('c-2');
      expect(report).toMatchObject({
        operation: 'subject.forget',
        subject: 'c-2',
        actions: [expect.objectContaining({ what: 'data-key-deleted', count: 1 }), expect.objectContaining({ what: 'fields-unreadable' })],
      });
      expect(typeof report.actions[0]!.where).toBe('string');
      expect(isIsoTime(report.requestedAt) && isIsoTime(report.completedAt)).toBe(true);
      expect(report.notes.join(' ')).toMatch(/Backups/);
      expect(JSON.parse(JSON.stringify(report))).toEqual(report);

      // Each path is the first to read one of the streams again: each must learn of the forgetting itself.
      const redacted = [{ customerId: 'c-2', email: REDACTED, address: REDACTED, plan: 'gold' }];
      expect(await eventsOf('pdcCustomer-c-2')).toMatchObject(redacted);
      expect(await fed('pdc-c2-orders')).toMatchObject([{ customer: { id: 'c-2', name: REDACTED }, total: 7 }]);
      // A Date inside a redacted field is gone with it: the marker, not an Invalid Date.
      expect(await replayed('pdc-c2-profile')).toMatchObject([{ birthDate: REDACTED, plan: 'basic' }]);
      expect(await replayed('pdcCustomer-c-2')).toMatchObject(redacted);
      expect(await fed('pdcCustomer-c-2')).toMatchObject(redacted);
      expect(await eventsOf('pdc-c2-orders', 'backward')).toMatchObject([{ customer: { id: 'c-2', name: REDACTED }, total: 7 }]);
      // The snapshot cannot be opened any more: the aggregate loads from its (redacted) events.
      expect(await subject.customers.load('c-2')).toMatchObject({ id: 'c-2', email: REDACTED, plan: 'gold' });
      // Another subject is untouched.
      expect(await eventsOf('pdc-c1-customer')).toMatchObject([{ email: ANN }, { customer: { name: NAME } }]);
      expect(await fed('pdc-c1-')).toMatchObject([{ email: ANN }, { customer: { name: NAME } }]);
      expect(await subject.rawText()).not.toContain(BOB);

      // Nothing new can be sealed for a forgotten subject; nothing was written.
      await expect(store.append('pdcCustomer-c-2', [new ContractCustomerRegistered('c-2', 'again@example.com', { street: 'y', zip: 1 }, 'gold')], { expectedVersion: 1 })).rejects.toBeInstanceOf(
        SubjectForgottenError,
      );
      expect(await eventsOf('pdcCustomer-c-2')).toHaveLength(1);
      // Forgetting again is harmless.
      expect((await store.forgetSubject('c-2')).actions[0]).toMatchObject({ count: 0, detail: 'the subject was forgotten already' });
    });

    it('forgetting a subject that never had a key refuses its personal data from then on', async () => {
      expect((await store.forgetSubject('c-4')).actions[0]).toMatchObject({ what: 'data-key-deleted', count: 0, detail: expect.stringMatching(/had no data key/) });
      await expect(store.append('pdc-c4-customer', [new ContractCustomerRegistered('c-4', 'd@example.com', { street: 'z', zip: 4 }, 'basic')], { expectedVersion: NO_STREAM })).rejects.toMatchObject({
        code: 'SUBJECT_FORGOTTEN',
      });
      expect(await eventsOf('pdc-c4-customer')).toEqual([]);
    });

    it('refuses bad input before anything is written', async () => {
      for (const subjectId of ['', '   ', 42, undefined, 'x'.repeat(1025)]) {
        await expect(store.forgetSubject(subjectId as string)).rejects.toMatchObject({ code: 'INVALID_SUBJECT_ID' });
      }
      // A personal field, but no subject: the class is named.
      const noSubject = store.append('pdc-newsletter-1', [new ContractNewsletterSubscribed('n@example.com')], { expectedVersion: NO_STREAM });
      await expect(noSubject).rejects.toBeInstanceOf(InvalidModuleOptionsError);
      await expect(noSubject).rejects.toThrow(/class ContractNewsletterSubscribed \("pdc.no-subject"\) has personal data \(email\) but no data subject/);
      // An event whose subject id is empty, or not a string.
      for (const customerId of ['', 7]) {
        const bad = store.append('pdc-bad-subject', [new ContractCustomerRegistered(customerId as string, 'e@example.com', { street: 'z', zip: 3 }, 'basic')], { expectedVersion: NO_STREAM });
        await expect(bad).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(bad).rejects.toMatchObject({ code: 'INVALID_SUBJECT_ID' });
      }
      expect(await eventsOf('pdc-newsletter-1')).toEqual([]);
      expect(await eventsOf('pdc-bad-subject')).toEqual([]);
    });

    it('without the personalData option: forgetSubject and appends of personal data are refused (never stored in clear)', async () => {
      const plain = await subject.openWithoutPersonalData();
      try {
        await expect(plain.store.forgetSubject('c-1')).rejects.toBeInstanceOf(PersonalDataDisabledError);
        await expect(plain.store.append('pdc-c9-customer', [new ContractCustomerRegistered('c-9', 'x@example.com', { street: 'q', zip: 4 }, 'basic')], { expectedVersion: NO_STREAM })).rejects.toBeInstanceOf(
          PersonalDataDisabledError,
        );
        // A subject id is checked first, as with the option.
        await expect(plain.store.forgetSubject('')).rejects.toMatchObject({ code: 'INVALID_SUBJECT_ID' });
        expect(await collect(plain.store.read('pdc-c9-customer'))).toEqual([]);
      } finally {
        await plain.close();
      }
    });

    // Last: the lost key makes the subject's events unreadable for the rest of the run (other tests read the feed by stream prefix).
    it('tells a lost key from an erasure: PersonalDataKeyMissingError in reads, replays and the feed', async () => {
      await store.append('pdc-c3-customer', [new ContractCustomerRegistered('c-3', 'cy@example.com', { street: 'y', zip: 2 }, 'basic')], { expectedVersion: NO_STREAM });
      expect(await eventsOf('pdc-c3-customer')).toMatchObject([{ email: 'cy@example.com' }]);
      await subject.loseKey('c-3');
      const failures = [
        await eventsOf('pdc-c3-customer').catch((error: unknown) => error),
        await replayed('pdc-c3-customer').catch((error: unknown) => error),
        await fed('pdc-c3-').catch((error: unknown) => error),
      ];
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(PersonalDataKeyMissingError);
        expect(failure).toMatchObject({ code: 'PERSONAL_DATA_KEY_MISSING', subjectId: 'c-3' });
      }
    });
  });
}
