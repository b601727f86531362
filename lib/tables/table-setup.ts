/**
 * What the module does with its tables at start-up:
 * - `create`: create any missing table and wait until it is ACTIVE; verify the ones that exist.
 * - `verify`: fail start-up, naming what differs, unless every table exists with the expected keys and indexes.
 * - `none`: touch nothing (least privilege: no DescribeTable or CreateTable permission needed).
 */
export type TableSetup = 'create' | 'verify' | 'none';

export const TABLE_SETUPS: readonly TableSetup[] = ['create', 'verify', 'none'];
