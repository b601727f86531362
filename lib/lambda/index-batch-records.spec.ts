import { describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord } from '../feed/indexer/stream-records.js';
import { batchItemFailuresAfter, indexBatchRecordsOf, isIndexBatchRecord } from './index-batch-records.js';

const batch = (seq: string, position: number, lastPosition: number): DynamoDBRecord => ({
  eventName: 'INSERT',
  dynamodb: {
    SequenceNumber: seq,
    Keys: { streamId: { S: '$$feed' }, version: { N: String(position) } },
    NewImage: { streamId: { S: '$$feed' }, version: { N: String(position) }, lastVersion: { N: String(lastPosition) }, commits: { S: '[]' } },
  },
});
const event = (seq: string): DynamoDBRecord => ({ eventName: 'INSERT', dynamodb: { SequenceNumber: seq, Keys: { streamId: { S: 'acc-1' }, version: { N: '1' } } } });

describe('index batch records', () => {
  it('tells the batches from the module\'s other items and the events', () => {
    expect(isIndexBatchRecord(batch('1', 1, 3))).toBe(true);
    expect(isIndexBatchRecord(batch('1', 0, 0))).toBe(false); // the meta item
    expect(isIndexBatchRecord(batch('1', -1, 3))).toBe(false); // the saved checkpoint
    expect(isIndexBatchRecord({ ...batch('1', 4, 5), eventName: 'MODIFY' })).toBe(false);
    expect(isIndexBatchRecord(event('1'))).toBe(false);
  });

  it('reads a batch record without its new image as a wrong view type', () => {
    const keysOnly = { ...batch('1', 1, 3), dynamodb: { ...batch('1', 1, 3).dynamodb, NewImage: undefined, StreamViewType: 'KEYS_ONLY' } };
    expect(() => indexBatchRecordsOf([keysOnly])).toThrow(expect.objectContaining({ code: 'FEED_STREAM_VIEW_TYPE' }));
  });

  it('reports the first batch past the position reached and every record after it', () => {
    const records = [batch('10', 1, 3), event('11'), batch('12', 4, 4), event('13'), batch('14', 5, 9)];
    const batches = indexBatchRecordsOf(records);
    expect(batches.map((b) => b.lastPosition)).toEqual([3, 4, 9]);
    const ids = (reached: number) => batchItemFailuresAfter(records, batches, reached).batchItemFailures.map((f) => f.itemIdentifier);
    expect(ids(9)).toEqual([]);
    expect(ids(Number.POSITIVE_INFINITY)).toEqual([]);
    expect(ids(4)).toEqual(['14']);
    expect(ids(3)).toEqual(['12', '13', '14']);
    // Inside the first batch (a commit half handled, or nothing): the whole event comes again.
    expect(ids(2)).toEqual(['10', '11', '12', '13', '14']);
    expect(ids(-1)).toEqual(['10', '11', '12', '13', '14']);
  });
});
