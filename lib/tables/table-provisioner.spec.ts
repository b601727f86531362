import { describe, expect, it } from '@jest/globals';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { eventsTableDefinition } from './events-table.js';
import { compareTable } from './table-provisioner.js';

describe('compareTable', () => {
  const definition = eventsTableDefinition('events');

  it('finds no difference in a table created from the definition', () => {
    const actual: TableDescription = {
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes,
    };
    expect(compareTable(definition, actual)).toEqual([]);
  });

  it('names a missing feed index, and accepts a table without one when the feed is off', () => {
    const actual: TableDescription = { KeySchema: definition.KeySchema, AttributeDefinitions: definition.AttributeDefinitions };
    expect(compareTable(definition, actual)).toEqual(['global secondary index "feed" is missing']);
    expect(compareTable(eventsTableDefinition('events', { feed: false }), actual)).toEqual([]);
  });

  it('accepts a feed index that projects more than needed, and names what a narrower one lacks', () => {
    const feedIndex = definition.GlobalSecondaryIndexes![0]!;
    const withProjection = (Projection: object): TableDescription => ({
      KeySchema: definition.KeySchema,
      AttributeDefinitions: definition.AttributeDefinitions,
      GlobalSecondaryIndexes: [{ ...feedIndex, Projection }],
    });
    expect(compareTable(definition, withProjection({ ProjectionType: 'ALL' }))).toEqual([]);
    expect(compareTable(definition, withProjection({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['commitLastVersion', 'lastVersion', 'events'] }))).toEqual([]);
    expect(compareTable(definition, withProjection({ ProjectionType: 'INCLUDE', NonKeyAttributes: ['commitLastVersion'] }))).toEqual([
      'index "feed" does not project lastVersion',
    ]);
    expect(compareTable(definition, withProjection({ ProjectionType: 'KEYS_ONLY' }))).toEqual([
      'index "feed" projects KEYS_ONLY, expected INCLUDE (lastVersion, commitLastVersion)',
    ]);
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
    };
    const [difference] = compareTable(definition, actual);
    expect(difference).toContain('key schema is [pk (HASH, S), version (RANGE, S)]');
    expect(difference).toContain('expected [streamId (HASH, S), version (RANGE, N)]');
  });

  it('names a missing global secondary index', () => {
    const withIndex = {
      ...definition,
      GlobalSecondaryIndexes: [
        { IndexName: 'feed', KeySchema: [{ AttributeName: 'streamId', KeyType: 'HASH' as const }], Projection: { ProjectionType: 'KEYS_ONLY' as const } },
      ],
    };
    const actual: TableDescription = { KeySchema: definition.KeySchema, AttributeDefinitions: definition.AttributeDefinitions };
    expect(compareTable(withIndex, actual)).toEqual(['global secondary index "feed" is missing']);
  });
});
