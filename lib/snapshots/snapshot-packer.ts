import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes } from 'node:crypto';
import { itemSize, MAX_ITEM_BYTES } from '../tables/item-size.js';
import { SnapshotItemAttribute as A } from '../tables/snapshots-table.js';
import { compressJson, type SnapshotEncoding } from './snapshot-codec.js';
import { partKey, snapshotKey } from './snapshot-keys.js';

type Item = Record<string, AttributeValue>;

/** DynamoDB bills a write per started KB: an item that fits one unit as plain JSON gains nothing from compression. */
export const PLAIN_ITEM_MAX_BYTES = 1024;

/** What identifies a snapshot, and when it expires. */
export interface SnapshotHeader {
  readonly streamId: string;
  readonly version: number;
  readonly revision: number;
  /** Unix milliseconds. */
  readonly takenAt: number;
  /** Unix seconds, when a time to live is set. */
  readonly expiresAt?: number;
}

/** The items of one snapshot: write `parts` (if any) first, `snapshot` last. */
export interface PackedSnapshot {
  readonly snapshot: Item;
  readonly parts: Item[];
  readonly encoding: SnapshotEncoding;
  /** Bytes of the state's JSON. */
  readonly sizeBytes: number;
  /** Bytes of the stored state (compressed or not). */
  readonly storedBytes: number;
}

/**
 * Lays a snapshot out in items: one item holding the state when it fits 400 KB (as plain JSON when
 * that item fits 1 KB, else compressed if smaller), otherwise a snapshot item that lists its part
 * items, each filled to the item limit. Every item is checked against MAX_ITEM_BYTES.
 */
export async function packSnapshot(header: SnapshotHeader, json: string): Promise<PackedSnapshot> {
  const sizeBytes = Buffer.byteLength(json, 'utf8');
  const base = snapshotItemBase(header, sizeBytes);

  const plain: Item = { ...base, [A.encoding]: { S: 'json' }, [A.storedBytes]: { N: String(sizeBytes) }, [A.state]: { S: json } };
  const plainSize = itemSize(plain);
  if (plainSize <= PLAIN_ITEM_MAX_BYTES) return { snapshot: plain, parts: [], encoding: 'json', sizeBytes, storedBytes: sizeBytes };

  const jsonBytes = Buffer.from(json, 'utf8');
  const compressed = await compressJson(jsonBytes);
  // Incompressible state (already-encoded blobs, random ids) is stored as it is.
  const encoding: SnapshotEncoding = compressed.length < sizeBytes ? 'br' : 'json';
  const stored = encoding === 'br' ? compressed : jsonBytes;
  const meta = { ...base, [A.encoding]: { S: encoding }, [A.storedBytes]: { N: String(stored.length) } };

  const single: Item = { ...meta, [A.state]: encoding === 'br' ? { B: stored } : { S: json } };
  if (itemSize(single) <= MAX_ITEM_BYTES) return { snapshot: single, parts: [], encoding, sizeBytes, storedBytes: stored.length };

  const partsId = randomBytes(12).toString('base64url');
  const parts = partItems(header, partsId, stored);
  const snapshot: Item = {
    ...meta,
    [A.parts]: { N: String(parts.length) },
    [A.partsId]: { S: partsId },
    [A.checksum]: { S: checksumOf(stored) },
  };
  return { snapshot, parts, encoding, sizeBytes, storedBytes: stored.length };
}

/** SHA-256 of the stored bytes, base64url: what a load checks the reassembled parts against. */
export function checksumOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64url');
}

function snapshotItemBase(header: SnapshotHeader, sizeBytes: number): Item {
  const item: Item = {
    [A.streamId]: { S: header.streamId },
    [A.sortKey]: { S: snapshotKey(header.version, header.revision) },
    [A.version]: { N: String(header.version) },
    [A.revision]: { N: String(header.revision) },
    [A.takenAt]: { N: String(header.takenAt) },
    [A.sizeBytes]: { N: String(sizeBytes) },
  };
  if (header.expiresAt !== undefined) item[A.expiresAt] = { N: String(header.expiresAt) };
  return item;
}

function partItems(header: SnapshotHeader, partsId: string, stored: Buffer): Item[] {
  const partItem = (index: number, data: Uint8Array): Item => {
    const item: Item = {
      [A.streamId]: { S: header.streamId },
      [A.sortKey]: { S: partKey(header.version, partsId, index) },
      [A.data]: { B: data },
    };
    if (header.expiresAt !== undefined) item[A.expiresAt] = { N: String(header.expiresAt) };
    return item;
  };
  // The overhead with a 10-digit index bounds every part's: at most 9 bytes of 400 KB go unused.
  const chunk = MAX_ITEM_BYTES - itemSize(partItem(9_999_999_999, new Uint8Array(0)));
  const parts: Item[] = [];
  for (let offset = 0, index = 0; offset < stored.length; offset += chunk, index++) {
    parts.push(partItem(index, stored.subarray(offset, offset + chunk)));
  }
  return parts;
}
