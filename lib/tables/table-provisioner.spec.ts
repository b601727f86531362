import { describe, expect, it } from '@jest/globals';
import type { CreateTableInput, TableDescription } from '@aws-sdk/client-dynamodb';
import { eventsTableDefinition } from './events-table.js';
import { compareTable } from './table-provisioner.js';

describe('compareTable', () => {
  const definition = eventsTableDefinition('events');
  const keys = { KeySchema: definition.KeySchema, AttributeDefinitions: definition.AttributeDefinitions };
  const stream = (StreamViewType: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' | 'OLD_IMAGE'): TableDescription => ({
    ...keys,
    StreamSpecification: { StreamEnabled: true, StreamViewType },
    LatestStreamArn: 'arn:aws:dynamodb:eu-west-1:123456789012:table/events/stream/2025-01-01T00:00:00.000',
  });
  /** Version 0.3's events table: its feed GSI, and no stream. */
  const legacy: TableDescription = {
    KeySchema: definition.KeySchema,
    AttributeDefinitions: [...definition.AttributeDefinitions!, { AttributeName: 'feedShard', AttributeType: 'N' }, { AttributeName: 'committedAt', AttributeType: 'N' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'feed',
        KeySchema: [
          { AttributeName: 'feedShard', KeyType: 'HASH' },
          { AttributeName: 'committedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['lastVersion', 'commitLastVersion'] },
      },
    ],
  };

  it('defines the events table with a NEW_IMAGE stream and no index, or no stream with the feed off', () => {
    expect(definition.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_IMAGE' });
    expect(definition.GlobalSecondaryIndexes).toBeUndefined();
    expect(definition.AttributeDefinitions!.map((a) => a.AttributeName)).toEqual(['streamId', 'version']);
    expect(eventsTableDefinition('events', { feed: false }).StreamSpecification).toBeUndefined();
  });

  it('finds no difference in a table with a stream carrying the new item, and tolerates the GSI of 0.3', () => {
    expect(compareTable(definition, stream('NEW_IMAGE'))).toEqual([]);
    expect(compareTable(definition, stream('NEW_AND_OLD_IMAGES'))).toEqual([]);
    expect(compareTable(definition, { ...legacy, ...stream('NEW_IMAGE'), AttributeDefinitions: legacy.AttributeDefinitions })).toEqual([]);
  });

  it('names a missing stream with its fixes, and accepts a table without one when the feed is off', () => {
    const [difference, ...rest] = compareTable(definition, keys);
    expect(rest).toEqual([]);
    expect(difference).toMatch(/^it has no DynamoDB Stream, which the feed reads \(view type NEW_IMAGE\): use tableSetup: 'create' or `nestjs-dynamo-es tables create`/);
    expect(difference).toContain('`nestjs-dynamo-es feed migrate`');
    expect(compareTable(eventsTableDefinition('events', { feed: false }), keys)).toEqual([]);
    expect(compareTable(eventsTableDefinition('events', { feed: false }), stream('KEYS_ONLY'))).toEqual([]);
  });

  it('names a 0.3 table as one to migrate', () => {
    const [difference, ...rest] = compareTable(definition, legacy);
    expect(rest).toEqual([]);
    expect(difference).toMatch(/^it is a table of version 0\.3 \(it has 0\.3's feed index "feed" and no DynamoDB Stream\): run `nestjs-dynamo-es feed migrate` once/);
  });

  it('names a stream of another view type with the steps to replace it, and what replacing it costs', () => {
    for (const viewType of ['KEYS_ONLY', 'OLD_IMAGE'] as const) {
      const [difference, ...rest] = compareTable(definition, stream(viewType));
      expect(rest).toEqual([]);
      expect(difference).toContain(`its DynamoDB Stream has view type ${viewType}, but the feed reads the new item: NEW_IMAGE or NEW_AND_OLD_IMAGES.`);
      expect(difference).toContain('disabling it drops the records it holds');
      expect(difference).toContain('`aws dynamodb update-table --table-name events --stream-specification StreamEnabled=false`');
      expect(difference).toContain('`aws dynamodb update-table --table-name events --stream-specification StreamEnabled=true,StreamViewType=NEW_IMAGE`');
    }
  });

  it('names a wrong key type and a wrong key name', () => {
    const actual: TableDescription = {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'version', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'version', AttributeType: 'S' },
      ],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    };
    const [difference, ...rest] = compareTable(definition, actual);
    expect(rest).toEqual([]);
    expect(difference).toContain('key schema is [pk (HASH, S), version (RANGE, S)]');
    expect(difference).toContain('expected [streamId (HASH, S), version (RANGE, N)]');
  });

  describe('global secondary indexes a definition asks for', () => {
    const withIndex: CreateTableInput = {
      ...eventsTableDefinition('events', { feed: false }),
      AttributeDefinitions: legacy.AttributeDefinitions,
      GlobalSecondaryIndexes: legacy.GlobalSecondaryIndexes!.map(({ IndexName, KeySchema, Projection }) => ({ IndexName, KeySchema, Projection })),
    };
    const withProjection = (Projection: object): TableDescription => ({ ...legacy, GlobalSecondaryIndexes: [{ ...legacy.GlobalSecondaryIndexes![0]!, Projection }] });

    it('names a missing one', () => {
      expect(compareTable(withIndex, keys)).toEqual(['global secondary index "feed" is missing']);
    });

    it('accepts one that projects more than needed, and names what a narrower one lacks', () => {
      expect(compareTable(withIndex, legacy)).toEqual([]);
      expect(compareTable(withIndex, withProjection({ ProjectionType: 'ALL' }))).toEqual([]);
      expect(compareTable(withIndex, withProjection({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['commitLastVersion', 'lastVersion', 'events'] }))).toEqual([]);
      expect(compareTable(withIndex, withProjection({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['commitLastVersion'] }))).toEqual(['index "feed" does not project lastVersion']);
      expect(compareTable(withIndex, withProjection({ ProjectionType: 'KEYS_ONLY' }))).toEqual([
        'index "feed" projects KEYS_ONLY, expected INCLUDE (lastVersion, commitLastVersion)',
      ]);
    });
  });
});
