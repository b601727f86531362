import { randomFillSync } from 'node:crypto';

/**
 * Event ids are UUIDv7 (RFC 9562): time-ordered, so they sort by creation time.
 *
 * One commit stores a single "first event id"; event i of the commit is that id plus i in its
 * last 48 bits (the RFC's monotonic-counter method). That keeps ids unique and ordered while
 * saving ~45 bytes per stored event, which is ~10% of the write cost of a typical event.
 */
const COUNTER_HEX_DIGITS = 12;
const PREFIX_LENGTH = 36 - COUNTER_HEX_DIGITS; // "xxxxxxxx-xxxx-7xxx-yxxx-" with its dashes

// Random bytes drawn in bulk: one syscall per 256 ids instead of one per id.
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;

/** A new UUIDv7 whose counter bits leave room for 2^47 events after it. */
export function newEventId(now: number = Date.now()): string {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  bytes.writeUIntBE(now, 0, 6); // 48-bit Unix time in milliseconds
  bytes[6] = (bytes[6]! & 0x0f) | 0x70; // version 7
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC 4122 variant
  bytes[10] = bytes[10]! & 0x7f; // headroom so that adding an offset never carries out of the counter
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Ids of the events following one id: `idAt(i)` is the id `i` places after it. */
export function eventIdSequence(firstEventId: string): (offset: number) => string {
  const prefix = firstEventId.slice(0, PREFIX_LENGTH);
  const counter = parseInt(firstEventId.slice(PREFIX_LENGTH), 16);
  return (offset) => (offset === 0 ? firstEventId : prefix + (counter + offset).toString(16).padStart(COUNTER_HEX_DIGITS, '0'));
}

/** The id of the event `offset` places after the event whose id is `firstEventId`. */
export function eventIdAt(firstEventId: string, offset: number): string {
  return eventIdSequence(firstEventId)(offset);
}
