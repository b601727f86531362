/**
 * What the module needs of a `KMSClient` from `@aws-sdk/client-kms`: declared here, so that the
 * package's typings do not import that optional peer (an app without it still type-checks, also
 * without `skipLibCheck`). Any `KMSClient` fits.
 */
export interface KmsClientLike {
  // The SDK's own send is generic over its commands; `any` keeps a real KMSClient assignable here.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  send(command: any, options?: any): Promise<any>;
  destroy(): void;
}
