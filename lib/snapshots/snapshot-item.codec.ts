import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { SnapshotItemAttribute as A } from '../tables/snapshots-table.js';
import type { SnapshotEncoding } from './snapshot-codec.js';
import type { SnapshotInfo } from './interfaces/snapshot.interface.js';

/** A snapshot item as read: its metadata, and either its state or where its parts are. */
export interface StoredSnapshotItem {
  readonly info: SnapshotInfo;
  /** The stored state of a single-item snapshot. */
  readonly state?: { readonly S?: string; readonly B?: Uint8Array };
  /** The parts of a multi-part snapshot. */
  readonly parts?: { readonly id: string; readonly count: number; readonly checksum: string };
}

export function decodeSnapshotItem(item: Record<string, AttributeValue>): StoredSnapshotItem {
  const number = (name: string) => Number(item[name]!.N);
  const partCount = item[A.parts] === undefined ? 0 : number(A.parts);
  const info: SnapshotInfo = {
    streamId: item[A.streamId]!.S!,
    version: number(A.version),
    revision: number(A.revision),
    takenAt: new Date(number(A.takenAt)),
    sizeBytes: number(A.sizeBytes),
    storedBytes: number(A.storedBytes),
    encoding: item[A.encoding]!.S! as SnapshotEncoding,
    items: partCount + 1,
  };
  if (partCount === 0) return { info, state: { S: item[A.state]?.S, B: item[A.state]?.B } };
  return { info, parts: { id: item[A.partsId]!.S!, count: partCount, checksum: item[A.checksum]!.S! } };
}
