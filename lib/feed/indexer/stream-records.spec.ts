import { describe, expect, it } from '@jest/globals';
import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { EventStoreErrorCode } from '../../errors/event-store.error.js';
import { FeedStreamViewTypeError } from '../../errors/feed-stream-view-type.error.js';
import { encodeStreamMetadataItem, purgeStubItem, tombstoneItem } from '../../lifecycle/stream-metadata-item.codec.js';
import { changeRecordFromLambda, changeRecordFromStream, type DynamoDBRecord } from './stream-records.js';

const image = (streamId: string, version: number, extra: Record<string, { S?: string; N?: string }> = {}) => ({
  streamId: { S: streamId },
  version: { N: String(version) },
  lastVersion: { N: String(version + 1) },
  commitId: { S: 'c-1' },
  committedAt: { N: '1700000000000' },
  events: { S: '[]' },
  ...extra,
});
const keys = (streamId: string, version: number) => ({ streamId: { S: streamId }, version: { N: String(version) } });

function sdkRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', streamId: string, version: number, newImage: object | null = image(streamId, version)): _Record {
  return {
    eventID: 'e-1',
    eventName,
    dynamodb: {
      Keys: keys(streamId, version),
      NewImage: (newImage ?? undefined) as never,
      SequenceNumber: '000000000000000000042',
      SizeBytes: 100,
      StreamViewType: newImage === null ? 'KEYS_ONLY' : 'NEW_IMAGE',
      ApproximateCreationDateTime: new Date(1_700_000_000_000),
    },
  };
}

function lambdaRecord(eventName: string, streamId: string, version: number, newImage: object | null = image(streamId, version)): DynamoDBRecord {
  return {
    eventID: 'e-1',
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/events/stream/2024-01-01T00:00:00.000',
    dynamodb: {
      Keys: keys(streamId, version),
      NewImage: (newImage ?? undefined) as never,
      SequenceNumber: '000000000000000000043',
      SizeBytes: 100,
      StreamViewType: newImage === null ? 'KEYS_ONLY' : 'NEW_IMAGE',
      ApproximateCreationDateTime: 1_700_000_000,
    },
  };
}

describe('Stream records to ChangeRecords', () => {
  it('reads the shard, sequence number and item header of an INSERT read with GetRecords', () => {
    expect(changeRecordFromStream(sdkRecord('INSERT', 'account-1', 3), 'shardId-1')).toEqual({
      shardId: 'shardId-1',
      sequenceNumber: '000000000000000000042',
      item: { streamId: 'account-1', version: 3, lastVersion: 4, commitId: 'c-1', committedAt: 1_700_000_000_000, commitLastVersion: undefined },
    });
  });

  it('reads a Lambda record the same way, with no shard id', () => {
    expect(changeRecordFromLambda(lambdaRecord('INSERT', 'account-1', 3))).toEqual({
      shardId: undefined,
      sequenceNumber: '000000000000000000043',
      item: { streamId: 'account-1', version: 3, lastVersion: 4, commitId: 'c-1', committedAt: 1_700_000_000_000, commitLastVersion: undefined },
    });
  });

  it('keeps the last version of a split commit', () => {
    const record = changeRecordFromLambda(lambdaRecord('INSERT', 'big', 1, image('big', 1, { commitLastVersion: { N: '9' } })));
    expect(record?.item.commitLastVersion).toBe(9);
  });

  it("skips the module's own items ($$feed batches, the indexer's lease)", () => {
    expect(changeRecordFromStream(sdkRecord('INSERT', '$$feed', 1, { streamId: { S: '$$feed' }, version: { N: '1' } }), 'shardId-1')).toBeUndefined();
    expect(changeRecordFromLambda(lambdaRecord('INSERT', '$$feed-indexer', 0, null))).toBeUndefined();
  });

  it("skips a stream's metadata item and a purge stub, but not a deletion's tombstone (a commit like any other)", () => {
    const metadata = encodeStreamMetadataItem('account-1', { maxCount: 10 }, 1, 1_700_000_000_000);
    expect(changeRecordFromStream(sdkRecord('INSERT', 'account-1', 0, metadata), 'shardId-1')).toBeUndefined();
    expect(changeRecordFromLambda(lambdaRecord('INSERT', 'account-1', 0, metadata))).toBeUndefined();
    // A purge stub is written over item 1 (a MODIFY); were item 1 gone already, it would be an INSERT.
    expect(changeRecordFromLambda(lambdaRecord('INSERT', 'account-1', 1, purgeStubItem('account-1', 1, 7, 1_700_000_000_000)))).toBeUndefined();
    const tombstone = changeRecordFromLambda(lambdaRecord('INSERT', 'account-1', 8, tombstoneItem('account-1', 7, 'hard', 1_700_000_000_000)));
    expect(tombstone?.item).toMatchObject({ streamId: 'account-1', version: 8, lastVersion: 8 });
  });

  it('skips modifications and removals: commits are only ever inserted', () => {
    for (const name of ['MODIFY', 'REMOVE'] as const) {
      expect(changeRecordFromStream(sdkRecord(name, 'account-1', 1), 'shardId-1')).toBeUndefined();
      expect(changeRecordFromLambda(lambdaRecord(name, 'account-1', 1, null))).toBeUndefined();
    }
  });

  it('refuses an INSERT without its new image, naming the view type and the fix', () => {
    for (const read of [() => changeRecordFromStream(sdkRecord('INSERT', 'a', 1, null), 'shardId-7'), () => changeRecordFromLambda(lambdaRecord('INSERT', 'a', 1, null))]) {
      const error = catchError(read);
      expect(error).toBeInstanceOf(FeedStreamViewTypeError);
      expect(error).toMatchObject({ code: EventStoreErrorCode.FEED_STREAM_VIEW_TYPE, reason: 'no-new-image', viewType: 'KEYS_ONLY' });
      expect((error as Error).message).toMatch(/KEYS_ONLY.*NEW_IMAGE.*feed migrate.*UpdateTable/s);
    }
  });

  it("refuses a record of another table's stream (no events table attributes)", () => {
    const error = catchError(() => changeRecordFromLambda(lambdaRecord('INSERT', 'a', 1, { streamId: { S: 'a' }, version: { N: '1' }, name: { S: 'x' } })));
    expect(error).toMatchObject({ code: EventStoreErrorCode.FEED_STREAM_VIEW_TYPE, reason: 'not-an-event-item' });
    expect((error as Error).message).toContain('"lastVersion"');
    const noKeys = catchError(() => changeRecordFromLambda({ eventName: 'INSERT', dynamodb: { Keys: { pk: { S: 'x' } }, SequenceNumber: '1' } }));
    expect(noKeys).toMatchObject({ reason: 'not-an-event-item' });
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
