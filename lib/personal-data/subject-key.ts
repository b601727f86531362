import { hkdfSync } from 'node:crypto';

/** Bytes of a data key: AES-256. */
export const DATA_KEY_BYTES = 32;

/**
 * A subject's unwrapped data key, ready to seal and open: the AES-256-GCM key itself, and the key
 * the synthetic IVs are derived with (derived from it with HKDF, so that one key is never used by
 * two algorithms).
 */
export class SubjectKey {
  /** HMAC-SHA256 key of the synthetic IVs. */
  readonly ivKey: Buffer;

  constructor(
    readonly subjectId: string,
    /** The 32-byte AES-256-GCM data key. */
    readonly dataKey: Buffer,
  ) {
    this.ivKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'nestjs-dynamo-es personal-data synthetic-iv', 32));
  }
}
