/**
 * The local key that wraps the customers' data keys when PERSONAL_DATA_LOCAL_KEY is not set:
 * FOR THE SAMPLE ONLY. It is public (it spells "bank-sample-dev-key-NOT-A-SECRET"), so anyone can
 * unwrap the keys with it. Set PERSONAL_DATA_LOCAL_KEY (`openssl rand -base64 32`) to keep a
 * development database's data private; production wraps the keys with AWS KMS
 * (`wrapping: { kmsKeyId: 'alias/...' }`), never a local key.
 */
export const SAMPLE_ONLY_PERSONAL_DATA_KEY = Buffer.from('bank-sample-dev-key-NOT-A-SECRET').toString('base64');
