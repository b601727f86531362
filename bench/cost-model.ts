import type { AttributeValue, CreateTableInput } from '@aws-sdk/client-dynamodb';
import { itemSize } from '../lib/index.js';

/**
 * DynamoDB's on-demand billing rules (see DESIGN-NOTES section 1), computed from the items a
 * request writes or reads. DynamoDB Local's own ConsumedCapacity is only a cross-check: it
 * under-counts transactions.
 */

type Item = Record<string, AttributeValue>;

const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4096;
/** What DynamoDB adds to every index entry's size, for storage and for index writes. */
const INDEX_ENTRY_OVERHEAD_BYTES = 100;

/** A PutItem: one write unit per started KB of the item. */
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
 * costs the minimum (assumed one 4 KB block, as for a read of a missing item). On an index, the
 * items are the index entries as returned (keys and projected attributes: DynamoDB bills "the sum
 * of all projected attribute sizes"), always eventually consistent.
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

/** What one global secondary index holds of an item: which attributes it copies. */
export interface IndexShape {
  readonly name: string;
  /** The table's key attributes and the index's: every index entry has them all. */
  readonly keys: readonly string[];
  /** The index's own key attributes: an item lacking one is not in the (sparse) index. */
  readonly indexKeys: readonly string[];
  /** Non-key attributes copied; undefined for ProjectionType ALL (everything). */
  readonly projected?: readonly string[];
}

/** The global secondary indexes of a table definition, as the cost model needs them. */
export function indexShapes(definition: CreateTableInput): IndexShape[] {
  const tableKeys = (definition.KeySchema ?? []).map((key) => key.AttributeName!);
  return (definition.GlobalSecondaryIndexes ?? []).map((index) => {
    const indexKeys = (index.KeySchema ?? []).map((key) => key.AttributeName!);
    const type = index.Projection?.ProjectionType ?? 'KEYS_ONLY';
    return {
      name: index.IndexName!,
      keys: [...new Set([...tableKeys, ...indexKeys])],
      indexKeys,
      projected: type === 'ALL' ? undefined : type === 'INCLUDE' ? (index.Projection?.NonKeyAttributes ?? []) : [],
    };
  });
}

/**
 * The write units a new item costs in one index: none when the item lacks an index key; else one
 * per started KB of its index entry (table keys + index keys + projected attributes + 100 bytes).
 * Billed at the standard rate also inside a transaction (not exercised by the bench: it writes no
 * commit large enough to be split over items).
 */
export function indexWriteUnits(item: Item, index: IndexShape): { units: number; entryBytes: number } {
  if (index.indexKeys.some((name) => item[name] === undefined)) return { units: 0, entryBytes: 0 };
  let entryBytes = INDEX_ENTRY_OVERHEAD_BYTES;
  if (index.projected === undefined) {
    entryBytes += itemSize(item);
  } else {
    const entry: Item = {};
    for (const name of [...index.keys, ...index.projected]) if (item[name] !== undefined) entry[name] = item[name];
    entryBytes += itemSize(entry);
  }
  return { units: Math.ceil(entryBytes / WRITE_UNIT_BYTES), entryBytes };
}
