import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** DynamoDB's item size limit: 400 KB, attribute names included. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's limit on the summed item sizes of one TransactWriteItems call. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** DynamoDB's limit on the number of actions in one TransactWriteItems call. */
export const MAX_TRANSACTION_ITEMS = 100;

/**
 * The size of an item as DynamoDB bills and limits it: UTF-8 names plus values, where a number
 * takes 1 byte per two significant digits plus 1, and a list or map 3 bytes plus 1 per element.
 */
export function itemSize(item: Record<string, AttributeValue>): number {
  let size = 0;
  for (const name in item) size += Buffer.byteLength(name, 'utf8') + valueSize(item[name]!);
  return size;
}

export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s, 'utf8'), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return value.L.reduce((sum, element) => sum + 1 + valueSize(element), 3);
  if (value.M !== undefined) {
    let size = 3;
    for (const name in value.M) size += 1 + Buffer.byteLength(name, 'utf8') + valueSize(value.M[name]!);
    return size;
  }
  throw new TypeError(`Unsupported attribute value: ${JSON.stringify(value)}`);
}

/**
 * A number's stored size: DynamoDB keeps its digits in pairs aligned on the decimal point
 * (base 100), without leading or trailing zero pairs, plus one byte, plus one more if negative.
 * So 1200 takes 2 bytes but 120 takes 3. Checked against DynamoDB Local byte for byte.
 */
export function numberSize(text: string): number {
  const negative = text.startsWith('-');
  const [mantissa = '', exponent = '0'] = text.replace(/^[-+]/, '').toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let point = whole.length + Number(exponent); // digits before the decimal point
  const leading = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leading).replace(/0+$/, '');
  point -= leading;
  if (digits.length === 0) return 1; // zero
  if (Math.abs(point % 2) === 1) digits = `0${digits}`;
  return Math.ceil(digits.length / 2) + 1 + (negative ? 1 : 0);
}
