import { randomBytes } from 'node:crypto';

/**
 * Ids of accounts, customers and transfers: letters, digits, `-` and `_`, up to 64 characters. They become
 * part of stream ids (`account-<id>`) and URLs, so anything else is refused at the edge.
 */
export const ENTITY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const ENTITY_ID_RULE = 'must be 1 to 64 letters, digits, "-" or "_"';

/** A fresh id such as `acc-5f3a9c01d2e4`: the prefix tells accounts, customers and transfers apart in logs. */
export function newEntityId(prefix: 'acc' | 'cus' | 'trf'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
