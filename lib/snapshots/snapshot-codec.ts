import { promisify } from 'node:util';
import { brotliCompress, brotliDecompress, constants } from 'node:zlib';

/** How a snapshot's state is stored: its UTF-8 JSON, as it is or compressed with Brotli. */
export type SnapshotEncoding = 'json' | 'br';

const compress = promisify(brotliCompress);
/** Cap of one output chunk of (de)compression: large chunks mean few hops to the thread pool (a 2 MB state: one, not 128). */
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
const decompress = promisify(brotliDecompress);

/**
 * Brotli quality 6. Measured on varied account-ledger JSON (Node 20, one core): a 2 MB state
 * compresses 5.1x in about 45 ms, gzip -6 4.9x in 29 ms, Brotli 9 5.4x in 150 ms, Brotli 11
 * (the default) 5.4x on 100 KB but 100 ms for that alone. Writes are billed per KB, so the ratio
 * matters; 6 is where it stops paying for the time. Runs on libuv's pool, off the event loop.
 */
export const BROTLI_QUALITY = 6;

/** The state's JSON compressed with Brotli. */
export function compressJson(json: Buffer): Promise<Buffer> {
  return compress(json, {
    // Output in a few large chunks rather than 16 KB ones: each chunk is one more hop to the thread pool.
    chunkSize: Math.min(Math.max(Math.ceil(json.length / 4), 16 * 1024), MAX_CHUNK_BYTES),
    params: {
      [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: json.length,
    },
  });
}


/** The state's JSON text from its stored bytes; `sizeBytes` (the JSON's length, stored with the snapshot) sizes the output buffer. */
export async function decodeStoredState(encoding: string, stored: Uint8Array, sizeBytes?: number): Promise<string> {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  switch (encoding) {
    case 'json':
      return bytes.toString('utf8');
    case 'br':
      return (await decompress(bytes, { chunkSize: Math.min(Math.max(sizeBytes ?? 0, 16 * 1024), MAX_CHUNK_BYTES) })).toString('utf8');
    default:
      throw new Error(`unknown snapshot encoding "${encoding}"`);
  }
}
