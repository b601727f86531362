import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConcurrencyError, NO_STREAM, type EventStore } from '../lib/index.js';
import { collect, createEventStoreApp, type EventStoreApp } from './support/event-store-app.js';
import { deposits, MoneyDeposited } from './support/events.js';

/**
 * Competing writers at one expected version: exactly one wins, the others get ConcurrencyError,
 * and the stream stays contiguous. Writers come from two app instances (two boundary caches),
 * and append different numbers of events, so that a lost race could only show up as an overlap.
 */
describe('EventStore under concurrent appends', () => {
  let first: EventStoreApp;
  let second: EventStoreApp;

  beforeAll(async () => {
    first = await createEventStoreApp('race');
    second = await createEventStoreApp('race-2', { tables: { events: first.tableName }, tableSetup: 'verify' });
  });
  afterAll(async () => {
    await second.module.close();
    await first.close();
  });

  async function race(streamId: string, rounds: number, writers: number, eventsOf: (writer: number) => number, noteBytes = 0) {
    let version = 0;
    const winners: Array<{ writer: number; amounts: number[] }> = [];
    for (let round = 0; round < rounds; round++) {
      const attempts = Array.from({ length: writers }, (_, writer) => {
        const store: EventStore = writer % 2 === 0 ? first.store : second.store;
        const events = deposits(streamId, eventsOf(writer), noteBytes, (round * writers + writer) * 1000);
        return store.append(streamId, events, { expectedVersion: version === 0 ? NO_STREAM : version }).then(
          (result) => ({ writer, result, events }),
        );
      });
      const outcomes = await Promise.allSettled(attempts);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(writers - 1);
      for (const { reason } of lost) {
        expect(reason).toBeInstanceOf(ConcurrencyError);
        expect(reason).toMatchObject({ streamId, expectedVersion: version === 0 ? NO_STREAM : version });
        expect((reason as ConcurrencyError).actualVersion).toBeGreaterThan(version);
      }
      const { writer, result, events } = (won[0] as PromiseFulfilledResult<Awaited<(typeof attempts)[number]>>).value;
      expect(result.version).toBe(version + events.length);
      version = result.version;
      winners.push({ writer, amounts: events.map((e) => e.amount) });
    }
    const stored = await collect(first.store.read(streamId));
    expect(stored.map((e) => e.version)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
    expect(stored.map((e) => (e.event as MoneyDeposited).amount)).toEqual(winners.flatMap((w) => w.amounts));
  }

  it('50 writers at the same expected version, 20 rounds: one winner and 49 conflicts per round', async () => {
    await race(`race-${Date.now()}`, 20, 50, (writer) => 1 + (writer % 5));
  });

  it('commits over 400 KB (multi-item transactions) race just as safely', async () => {
    await race(`race-big-${Date.now()}`, 3, 8, (writer) => 1400 + writer * 50, 280);
  });
});
