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
    };
    expect(compareTable(definition, actual)).toEqual([]);
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
