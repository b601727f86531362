import { CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { itemSize, MAX_ITEM_BYTES } from '../lib/index.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';

/** The packer trusts itemSize() to stay under 400 KB; check that DynamoDB counts the same way. */
describe('itemSize against DynamoDB', () => {
  const client = new DynamoDBClient(testClientConfig());
  const TableName = uniqueTableName('item-size');

  beforeAll(async () => {
    await client.send(
      new CreateTableCommand({
        TableName,
        AttributeDefinitions: [
          { AttributeName: 'streamId', AttributeType: 'S' },
          { AttributeName: 'version', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'streamId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await waitUntilTableExists({ client, maxWaitTime: 120 }, { TableName });
  });
  afterAll(async () => {
    await deleteTables(TableName);
    client.destroy();
  });

  function itemOfSize(bytes: number) {
    const item = {
      streamId: { S: 'stream-é' },
      version: { N: '123456789' },
      lastVersion: { N: '123456790' },
      committedAt: { N: '1760000000000' },
      events: { S: '' },
    };
    item.events.S = 'x'.repeat(bytes - itemSize(item));
    expect(itemSize(item)).toBe(bytes);
    return item;
  }

  it('an item of exactly 400 KB by itemSize() is accepted', async () => {
    await expect(client.send(new PutItemCommand({ TableName, Item: itemOfSize(MAX_ITEM_BYTES) }))).resolves.toBeDefined();
  });

  it('one byte more is refused by DynamoDB', async () => {
    await expect(client.send(new PutItemCommand({ TableName, Item: itemOfSize(MAX_ITEM_BYTES + 1) }))).rejects.toThrow(/size/i);
  });
});
