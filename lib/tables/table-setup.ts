/**
 * What the module does with its tables at start-up:
 * - `create`: create any missing table and wait until it is ACTIVE; verify the ones that exist.
 * - `verify`: fail start-up, naming what differs, unless every table exists with the expected keys and indexes.
 * - `none`: touch nothing (least privilege: no DescribeTable or CreateTable permission needed).
 *
 * With `create` or `verify`, a DynamoDB that cannot be reached at all fails start-up with a
 * `DynamoDbUnreachableError` naming the endpoint and the mode (the network error as its cause).
 */
export type TableSetup = 'create' | 'verify' | 'none';

export const TABLE_SETUPS: readonly TableSetup[] = ['create', 'verify', 'none'];
