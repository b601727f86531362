import type { KmsClientLike } from './interfaces/kms-client-like.interface.js';
import { KeyWrappingError } from '../errors/key-wrapping.error.js';
import type { GeneratedDataKey, KeyWrapping } from './interfaces/key-wrapping.interface.js';
import { DATA_KEY_BYTES } from './subject-key.js';

/** The encryption context key naming the subject: KMS binds the wrapped key to it, and CloudTrail logs it with every Decrypt. */
export const KMS_CONTEXT_SUBJECT = 'nestjs-dynamo-es:subject';

type KmsModule = typeof import('@aws-sdk/client-kms');

/** What KMS's error names mean for a user, with what to check. */
const KMS_PROBLEMS: Record<string, string> = {
  AccessDeniedException: 'access denied: the role needs kms:GenerateDataKey and kms:Decrypt on the key (IAM policy and key policy)',
  NotFoundException: 'the KMS key does not exist (check personalData.wrapping.kmsKeyId and the region)',
  DisabledException: 'the KMS key is disabled',
  KMSInvalidStateException: 'the KMS key is not usable in its current state (pending deletion or import?)',
  InvalidCiphertextException: 'KMS refused the wrapped key (altered, or bound to another subject)',
  IncorrectKeyException: 'the wrapped key belongs to another KMS key',
  KeyUnavailableException: 'the KMS key is unavailable right now (custom key store disconnected?)',
  InvalidKeyUsageException: 'the KMS key is not a symmetric ENCRYPT_DECRYPT key',
};

/**
 * Wraps data keys with AWS KMS: `GenerateDataKey` (AES_256) makes each subject's key, `Decrypt`
 * unwraps it, both with the encryption context `{ "nestjs-dynamo-es:subject": <subject id> }`.
 * The wrapping key never leaves KMS. Built with {@link KmsKeyWrapping.create}, which loads
 * `@aws-sdk/client-kms` (an optional peer dependency) only then.
 */
export class KmsKeyWrapping implements KeyWrapping {
  private constructor(
    private readonly kms: KmsModule,
    private readonly client: KmsClientLike,
    private readonly keyId: string,
    private readonly ownsClient: boolean,
  ) {}

  /**
   * @param keyId the KMS key: id, ARN, alias name or alias ARN.
   * @param client a KMSClient to use as it is; default a new one (default region and credentials), closed with {@link close}.
   * @throws Error when `@aws-sdk/client-kms` is not installed.
   */
  static async create(keyId: string, client?: KmsClientLike): Promise<KmsKeyWrapping> {
    const kms = await import('@aws-sdk/client-kms');
    return new KmsKeyWrapping(kms, client ?? new kms.KMSClient({}), keyId, client === undefined);
  }

  async generate(subjectId: string): Promise<GeneratedDataKey> {
    const output = await this.call('GenerateDataKey', subjectId, () =>
      this.client.send(new this.kms.GenerateDataKeyCommand({ KeyId: this.keyId, KeySpec: 'AES_256', EncryptionContext: this.context(subjectId) })),
    );
    if (output.Plaintext?.length !== DATA_KEY_BYTES || output.CiphertextBlob === undefined) {
      throw new KeyWrappingError('GenerateDataKey', subjectId, `KMS answered without a ${DATA_KEY_BYTES}-byte key and its ciphertext`);
    }
    // The key's ARN, whatever form of id was configured: Decrypt is then pinned to that very key.
    return { dataKey: Buffer.from(output.Plaintext), wrapped: Buffer.from(output.CiphertextBlob), wrappedBy: `kms:${output.KeyId ?? this.keyId}` };
  }

  async unwrap(subjectId: string, wrapped: Buffer, wrappedBy: string): Promise<Buffer> {
    if (!wrappedBy.startsWith('kms:')) {
      throw new KeyWrappingError('Decrypt', subjectId, `the key is wrapped by "${wrappedBy}", not by KMS (personalData.wrapping was changed?)`);
    }
    const output = await this.call('Decrypt', subjectId, () =>
      this.client.send(new this.kms.DecryptCommand({ CiphertextBlob: wrapped, KeyId: wrappedBy.slice('kms:'.length), EncryptionContext: this.context(subjectId) })),
    );
    if (output.Plaintext?.length !== DATA_KEY_BYTES) throw new KeyWrappingError('Decrypt', subjectId, `KMS answered without a ${DATA_KEY_BYTES}-byte key`);
    return Buffer.from(output.Plaintext);
  }

  close(): void {
    if (this.ownsClient) this.client.destroy();
  }

  private context(subjectId: string): Record<string, string> {
    return { [KMS_CONTEXT_SUBJECT]: subjectId };
  }

  /** A KMS request (the SDK retries throttling and network errors itself); any failure left becomes a KeyWrappingError. */
  private async call<T>(operation: string, subjectId: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = (error as { name?: unknown })?.name;
      const problem = (typeof name === 'string' ? KMS_PROBLEMS[name] : undefined) ?? `KMS answered ${String(name ?? error)}`;
      throw new KeyWrappingError(`KMS ${operation}`, subjectId, `${problem} (key ${this.keyId})`, { cause: error });
    }
  }
}
