import { GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import type { SnapshotRepository } from '../lib/index.js';
import type { Named } from './interleaved-rounds.js';
import type { LedgerState } from './snapshot-state.js';
import { newestSnapshotItem } from './newest-snapshot-item.js';

type Item = Record<string, AttributeValue>;

/** Saves a stream's state as a snapshot at a version, and loads the newest one back. */
export interface SnapshotContender extends Named {
  save(streamId: string, version: number, state: LedgerState): Promise<void>;
  load(streamId: string): Promise<{ version: number; state: LedgerState } | undefined>;
}

/** The module: SnapshotRepository.save / load. */
export class ModuleSnapshotContender implements SnapshotContender {
  readonly name = 'module';

  constructor(private readonly snapshots: SnapshotRepository) {}

  async save(streamId: string, version: number, state: LedgerState): Promise<void> {
    await this.snapshots.save(streamId, version, state, { revision: 1 });
  }

  async load(streamId: string): Promise<{ version: number; state: LedgerState } | undefined> {
    return this.snapshots.load<LedgerState>(streamId);
  }
}

/** Room left in a part item for the keys: parts stay under DynamoDB's 400 KB item limit. */
const PART_BYTES = 400 * 1024 - 1024;

/**
 * What a careful hand-written snapshot store does with the raw SDK, in its own table (the module's
 * key schema): JSON.stringify, Brotli quality 6 (text mode and size hint, the module's settings, so
 * both store the same bytes), then plain PutItems: the compressed bytes inline in the snapshot item
 * when they fit one item, else in parts of just under 400 KB written first (in parallel) and a small
 * manifest item last. A load is a Query for the newest manifest, a GetItem per part (in parallel),
 * decompression and JSON.parse. No checks, checksums, retries of its own or clean-up: an upper bound.
 */
export class BaselineSnapshotContender implements SnapshotContender {
  readonly name = 'baseline';

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async save(streamId: string, version: number, state: LedgerState): Promise<void> {
    const json = Buffer.from(JSON.stringify(state), 'utf8');
    const stored = brotliCompressSync(json, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 6,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
      },
    });
    const at = pad(version);
    const manifest: Item = { streamId: { S: streamId }, sortKey: { S: `s#${at}` }, version: { N: String(version) } };
    if (stored.length <= PART_BYTES) {
      manifest.data = { B: stored };
    } else {
      const parts: Buffer[] = [];
      for (let offset = 0; offset < stored.length; offset += PART_BYTES) parts.push(stored.subarray(offset, offset + PART_BYTES));
      await Promise.all(parts.map((data, index) => this.put({ streamId: { S: streamId }, sortKey: { S: `p#${at}#${index}` }, data: { B: data } })));
      manifest.parts = { N: String(parts.length) };
    }
    await this.put(manifest);
  }

  async load(streamId: string): Promise<{ version: number; state: LedgerState } | undefined> {
    const manifest = await newestSnapshotItem(this.client, this.tableName, streamId);
    if (manifest === undefined) return undefined;
    const version = Number(manifest.version!.N);
    let stored: Uint8Array;
    if (manifest.parts === undefined) {
      stored = manifest.data!.B!;
    } else {
      const at = pad(version);
      const parts = await Promise.all(
        Array.from({ length: Number(manifest.parts.N) }, async (_, index) => {
          const { Item } = await this.client.send(
            new GetItemCommand({ TableName: this.tableName, Key: { streamId: { S: streamId }, sortKey: { S: `p#${at}#${index}` } }, ConsistentRead: true }),
          );
          if (Item?.data?.B === undefined) throw new Error(`baseline: part ${index} of ${streamId} at ${version} is missing`);
          return Item.data.B;
        }),
      );
      stored = Buffer.concat(parts);
    }
    return { version, state: JSON.parse(brotliDecompressSync(stored).toString('utf8')) as LedgerState };
  }

  private async put(item: Item): Promise<void> {
    await this.client.send(new PutItemCommand({ TableName: this.tableName, Item: item }));
  }
}

const pad = (n: number): string => String(n).padStart(16, '0');
