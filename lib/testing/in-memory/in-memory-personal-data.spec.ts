import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { DataSubject, EventStore, EventType, InvalidModuleOptionsError, NO_STREAM, PersonalData, REDACTED } from '../../index.js';
import { InMemoryEventSourcingModule } from './in-memory-event-sourcing.module.js';
import { InMemoryEventStore } from './in-memory-event-store.js';

@EventType('in-memory-pd-spec.signed-up')
class SignedUp {
  @DataSubject() readonly userId: string;
  @PersonalData() readonly email: string;
  constructor(userId: string, email: string) {
    this.userId = userId;
    this.email = email;
  }
}

@EventType('in-memory-pd-spec.no-subject')
class Anonymous {
  @PersonalData() readonly email: string;
  constructor(email: string) {
    this.email = email;
  }
}

const emailsOf = async (store: InMemoryEventStore, streamId: string): Promise<unknown[]> => {
  const emails: unknown[] = [];
  for await (const { event } of store.read<SignedUp>(streamId)) emails.push(event.email);
  return emails;
};

describe('InMemoryEventStore with personalData', () => {
  it('keeps a keys table in memory: a wrapped key per subject, then a forgotten marker stamped by lifecycle.clock', async () => {
    const store = new InMemoryEventStore({ events: [SignedUp], personalData: {}, lifecycle: { clock: () => 1_000 } });
    await store.append('user-1', [new SignedUp('u-1', 'u1@example.com')], { expectedVersion: NO_STREAM });
    expect(store.personalDataKeys?.tableName).toBe('personal-data-keys');
    expect(store.personalDataKeys?.itemOf('u-1')).toMatchObject({ state: 'active', wrappedBy: expect.stringMatching(/^local:[0-9a-f]{16}$/), createdAt: 1_000 });
    expect(await emailsOf(store, 'user-1')).toEqual(['u1@example.com']);

    await store.forgetSubject('u-1');
    expect(store.personalDataKeys?.itemOf('u-1')).toEqual({ state: 'forgotten', subjectId: 'u-1', forgottenAt: 1_000 });
    expect(await emailsOf(store, 'user-1')).toEqual([REDACTED]);
  });

  it("takes an app's DynamoDB options as they are: KMS wrapping is checked, never called (a local key stands in)", async () => {
    const module = await Test.createTestingModule({
      imports: [InMemoryEventSourcingModule.forRoot({ events: [SignedUp], tablePrefix: 'test-', personalData: { keysTable: 'pii-keys', wrapping: { kmsKeyId: 'alias/pii' } } })],
    }).compile();
    const store = module.get(EventStore);
    await store.append('user-2', [new SignedUp('u-2', 'u2@example.com')], { expectedVersion: NO_STREAM });
    expect(module.get(InMemoryEventStore).personalDataKeys?.itemOf('u-2')).toMatchObject({ state: 'active', wrappedBy: expect.stringMatching(/^local:/) });
    expect((await store.forgetSubject('u-2')).actions[0]).toMatchObject({ what: 'data-key-deleted', where: 'test-pii-keys', count: 1 });
    await module.close();
  });

  it('wraps with the configured localKey when one is given', async () => {
    const localKey = randomBytes(32).toString('base64');
    const stores = [0, 1].map(() => new InMemoryEventStore({ events: [SignedUp], personalData: { wrapping: { localKey } } }));
    for (const store of stores) await store.append('user-3', [new SignedUp('u-3', 'u3@example.com')], { expectedVersion: NO_STREAM });
    const [first, second] = stores.map((store) => store.personalDataKeys?.itemOf('u-3'));
    expect(first).toMatchObject({ state: 'active' });
    expect(second).toMatchObject({ state: 'active', wrappedBy: (first as { wrappedBy: string }).wrappedBy });
  });

  it('refuses what the DynamoDB module refuses, at construction', () => {
    const bad: unknown[] = [
      'yes',
      { wrapping: { localKey: randomBytes(16).toString('base64') } },
      { wrapping: { kmsKeyId: '' } },
      { types: { 'in-memory-pd-spec.signed-up': { subject: 'userId', fields: [] } } },
      { types: { 'in-memory-pd-spec.signed-up': { subject: 'userId', fields: ['userId'] } } },
      { keysTable: 'x' },
      { colour: 'red' },
    ];
    for (const personalData of bad) {
      expect(() => new InMemoryEventStore({ events: [SignedUp], personalData: personalData as never })).toThrow(InvalidModuleOptionsError);
    }
    // A listed class with personal data and no subject fails at start-up, naming it.
    expect(() => new InMemoryEventStore({ events: [Anonymous], personalData: {} })).toThrow(/class Anonymous .* has personal data \(email\) but no data subject/);
  });
});
