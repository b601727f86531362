import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { itemSize, MAX_ITEM_BYTES } from '../tables/item-size.js';
import { decodeStoredState } from './snapshot-codec.js';
import { checksumOf, packSnapshot, PLAIN_ITEM_MAX_BYTES, type SnapshotHeader } from './snapshot-packer.js';

const header: SnapshotHeader = { streamId: 'account-1', version: 42, revision: 3, takenAt: 1_760_000_000_000 };

/** Varied JSON (no repeated filler): ledger lines with random ids, amounts and words. */
function ledgerJson(minBytes: number): string {
  const words = ['rent', 'refund', 'groceries', 'salary', 'fee', 'gift', 'utilities', 'loan', 'tickets'];
  const lines: object[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
  let bytes = 0;
  while (bytes < minBytes) {
    const line = { id: randomBytes(8).toString('hex'), amount: (next() % 100_000) / 100, memo: `${words[next() % 9]} ${words[next() % 9]} ${next() % 9999}` };
    lines.push(line);
    bytes += JSON.stringify(line).length + 1;
  }
  return JSON.stringify({ lines });
}

describe('packSnapshot', () => {
  it('stores a state whose item fits 1 KB as plain JSON in one item', async () => {
    const json = JSON.stringify({ balance: 315, currency: 'EUR', owner: 'ann' });
    const packed = await packSnapshot(header, json);
    expect(packed.parts).toEqual([]);
    expect(packed.encoding).toBe('json');
    expect(packed.snapshot.state).toEqual({ S: json });
    expect(packed.snapshot.sortKey).toEqual({ S: 's#0000000000000042#0000000000000003' });
    expect(itemSize(packed.snapshot)).toBeLessThanOrEqual(PLAIN_ITEM_MAX_BYTES);
  });

  it('compresses a state over 1 KB, in one item while it fits 400 KB', async () => {
    const json = ledgerJson(50_000);
    const packed = await packSnapshot(header, json);
    expect(packed).toMatchObject({ encoding: 'br', parts: [], sizeBytes: json.length });
    expect(packed.storedBytes).toBeLessThan(json.length / 3);
    expect(await decodeStoredState('br', packed.snapshot.state!.B!)).toBe(json);
  });

  it('splits a large state into parts that each fill, but never exceed, one item', async () => {
    const json = ledgerJson(4_000_000);
    const packed = await packSnapshot({ ...header, expiresAt: 1_760_086_400 }, json);
    expect(packed.parts.length).toBeGreaterThan(1);
    const sizes = packed.parts.map(itemSize);
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(MAX_ITEM_BYTES - 16);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(MAX_ITEM_BYTES);
    const stored = Buffer.concat(packed.parts.map((part) => part.data!.B!));
    expect(stored.length).toBe(packed.storedBytes);
    expect(packed.snapshot).toMatchObject({ parts: { N: String(packed.parts.length) }, checksum: { S: checksumOf(stored) } });
    expect(packed.snapshot.state).toBeUndefined();
    expect(await decodeStoredState(packed.encoding, stored)).toBe(json);
    // The time to live is on every item, so that expired snapshots go whole.
    for (const item of [packed.snapshot, ...packed.parts]) expect(item.expiresAt).toEqual({ N: '1760086400' });
  });

  it('round-trips a state that barely compresses (random base64) through parts', async () => {
    const json = JSON.stringify({ blob: randomBytes(900_000).toString('base64') });
    const packed = await packSnapshot(header, json);
    expect(packed.parts.length).toBeGreaterThan(1);
    expect(packed.storedBytes).toBeLessThanOrEqual(packed.sizeBytes);
    expect(await decodeStoredState(packed.encoding, Buffer.concat(packed.parts.map((p) => p.data!.B!)))).toBe(json);
  });
});
