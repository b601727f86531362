/** A fresh data key: in clear for this process, and wrapped for the keys table. */
export interface GeneratedDataKey {
  /** The 32-byte AES-256 data key. Never stored. */
  readonly dataKey: Buffer;
  /** The data key encrypted by the wrapping key: what the keys table stores. */
  readonly wrapped: Buffer;
  /** How it was wrapped, stored with it: `kms:<key ARN>` or `local:<fingerprint of the local key>`. */
  readonly wrappedBy: string;
}

/**
 * Wraps subjects' data keys for storage, and unwraps them to use: AWS KMS in production
 * ({@link KmsKeyWrapping}), a local key for development and tests ({@link LocalKeyWrapping}).
 * Every key is bound to its subject id (KMS's encryption context, the local wrap's additional data):
 * a wrapped key copied to another subject's item does not unwrap.
 */
export interface KeyWrapping {
  /** A new data key for the subject. @throws KeyWrappingError */
  generate(subjectId: string): Promise<GeneratedDataKey>;
  /** The data key a stored item holds. @throws KeyWrappingError */
  unwrap(subjectId: string, wrapped: Buffer, wrappedBy: string): Promise<Buffer>;
  /** Releases what it holds (a KMS client it created). */
  close?(): void;
}
