import { describe, expect, it } from '@jest/globals';
import { KMSClient, KMSServiceException, NotFoundException } from '@aws-sdk/client-kms';
import { randomBytes } from 'node:crypto';
import { KeyWrappingError } from '../errors/key-wrapping.error.js';
import { KMS_CONTEXT_SUBJECT, KmsKeyWrapping } from './kms-key-wrapping.js';

const KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/**
 * Plays KMS behind a real KMSClient: a middleware at the start of the client's stack answers each
 * command as KMS would (checking the key and the encryption context), so the SDK's commands,
 * serialization of inputs and error types are the real ones; no request leaves the process.
 */
function fakeKms(options: { deny?: boolean } = {}) {
  const client = new KMSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const blobs = new Map<string, { plaintext: Uint8Array; context: Record<string, string> }>();
  const calls: string[] = [];
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      calls.push(context.commandName!);
      if (options.deny) {
        throw new KMSServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'User is not authorized to perform: kms:GenerateDataKey' });
      }
      if (context.commandName === 'GenerateDataKeyCommand') {
        if (input.KeyId !== 'alias/pii') throw new NotFoundException({ $metadata: {}, message: `Alias ${String(input.KeyId)} is not found.` });
        expect(input.KeySpec).toBe('AES_256');
        const plaintext = new Uint8Array(randomBytes(32));
        const blob = randomBytes(64);
        blobs.set(blob.toString('hex'), { plaintext, context: input.EncryptionContext as Record<string, string> });
        return { output: { $metadata: {}, KeyId: KEY_ARN, Plaintext: plaintext, CiphertextBlob: new Uint8Array(blob) } as never, response: {} };
      }
      if (context.commandName === 'DecryptCommand') {
        const stored = blobs.get(Buffer.from(input.CiphertextBlob as Uint8Array).toString('hex'));
        // KMS refuses a blob whose encryption context differs in any way.
        if (stored === undefined || JSON.stringify(stored.context) !== JSON.stringify(input.EncryptionContext) || input.KeyId !== KEY_ARN) {
          throw new KMSServiceException({ name: 'InvalidCiphertextException', $fault: 'client', $metadata: {}, message: '' });
        }
        return { output: { $metadata: {}, KeyId: KEY_ARN, Plaintext: stored.plaintext } as never, response: {} };
      }
      throw new Error(`unexpected ${context.commandName}`);
    },
    { step: 'initialize', priority: 'high', name: 'fakeKms' },
  );
  return { client, calls };
}

describe('KmsKeyWrapping (real KMSClient, KMS faked at the SDK boundary)', () => {
  it('makes a data key with GenerateDataKey and unwraps it with Decrypt, both bound to the subject', async () => {
    const { client, calls } = fakeKms();
    const wrapping = await KmsKeyWrapping.create('alias/pii', client);
    const generated = await wrapping.generate('customer-1');
    expect(generated.dataKey).toHaveLength(32);
    expect(generated.wrappedBy).toBe(`kms:${KEY_ARN}`); // pinned to the key's ARN, whatever form was configured
    expect((await wrapping.unwrap('customer-1', generated.wrapped, generated.wrappedBy)).equals(generated.dataKey)).toBe(true);
    expect(calls).toEqual(['GenerateDataKeyCommand', 'DecryptCommand']);

    // Copied to another subject's item, the wrapped key does not unwrap: the encryption context differs.
    const moved = wrapping.unwrap('customer-2', generated.wrapped, generated.wrappedBy);
    await expect(moved).rejects.toBeInstanceOf(KeyWrappingError);
    await expect(moved).rejects.toThrow(/KMS refused the wrapped key/);
    expect(KMS_CONTEXT_SUBJECT).toBe('nestjs-dynamo-es:subject');
  });

  it('maps KMS errors to KeyWrappingError saying what to check', async () => {
    const denied = await KmsKeyWrapping.create('alias/pii', fakeKms({ deny: true }).client);
    const error = await denied.generate('customer-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeyWrappingError);
    expect(error).toMatchObject({ code: 'KEY_WRAPPING_FAILED', subjectId: 'customer-1' });
    expect((error as Error).message).toMatch(/access denied: the role needs kms:GenerateDataKey and kms:Decrypt/);
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' });

    const unknownKey = await KmsKeyWrapping.create('alias/typo', fakeKms().client);
    await expect(unknownKey.generate('customer-1')).rejects.toThrow(/the KMS key does not exist/);

    const wrapping = await KmsKeyWrapping.create('alias/pii', fakeKms().client);
    await expect(wrapping.unwrap('customer-1', randomBytes(64), 'local:abcd')).rejects.toThrow(/not by KMS/);
  });

});
