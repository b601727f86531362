import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { itemSize } from '../lib/index.js';

/**
 * DynamoDB's on-demand billing rules (see DESIGN-NOTES section 1), computed from the items a
 * request writes or reads. DynamoDB Local's own ConsumedCapacity is only a cross-check: it
 * under-counts transactions.
 */

type Item = Record<string, AttributeValue>;

const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;

/**
 * A PutItem: one write unit per started KB of the item. (An UpdateItem is billed the same on the
 * larger of the item before and after; the only ones the bench sees are the feed indexer's lease
 * renewals, of an item under 1 KB: 1 unit each.)
 */
export function putWriteUnits(item: Item): number {
  return Math.max(1, Math.ceil(itemSize(item) / WRITE_UNIT_BYTES));
}

/** A TransactWriteItems: two write units per started KB, item by item. */
export function transactionWriteUnits(items: readonly Item[]): number {
  return items.reduce((units, item) => units + 2 * putWriteUnits(item), 0);
}

/**
 * One Query page: the sizes of all items it returns are summed, then rounded up to 4 KB; one unit
 * per 4 KB when strongly consistent, half that otherwise. A page that returns nothing still
 * costs the minimum (assumed one 4 KB block, as for a read of a missing item).
 */
export function queryPageReadUnits(items: readonly Item[], consistent: boolean): number {
  const bytes = items.reduce((sum, item) => sum + itemSize(item), 0);
  const blocks = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  return consistent ? blocks : blocks / 2;
}

/**
 * A GetItem: the item's size rounded up to 4 KB (a missing item still costs one block). A
 * BatchGetItem bills each of its items the same way, item by item.
 */
export function getItemReadUnits(item: Item | undefined, consistent: boolean): number {
  const blocks = Math.max(1, Math.ceil((item === undefined ? 0 : itemSize(item)) / READ_UNIT_BYTES));
  return consistent ? blocks : blocks / 2;
}
