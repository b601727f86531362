import { DescribeTimeToLiveCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TableMismatchError } from '../errors/table-mismatch.error.js';
import { SNAPSHOTS_TTL_ATTRIBUTE } from '../tables/snapshots-table.js';
import type { TableSetup } from '../tables/table-setup.js';

/**
 * With `snapshots.ttlSeconds`, the table's time to live must be on `expiresAt`, or the attribute is
 * written for nothing: `create` turns it on, `verify` fails start-up when it is off or on another
 * attribute, `none` touches nothing.
 */
export async function provisionSnapshotsTimeToLive(client: DynamoDBClient, tableName: string, setup: TableSetup): Promise<void> {
  if (setup === 'none') return;
  let ttl = await describeTimeToLive(client, tableName);
  if (ttl.on && ttl.attribute === SNAPSHOTS_TTL_ATTRIBUTE) return;
  if (setup === 'create' && !ttl.on) {
    try {
      await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: SNAPSHOTS_TTL_ATTRIBUTE, Enabled: true } }));
      return;
    } catch (error) {
      // Another instance turned it on at the same moment (fine), or it is still DISABLING (up to an hour; DynamoDB refuses).
      ttl = await describeTimeToLive(client, tableName);
      if (ttl.on && ttl.attribute === SNAPSHOTS_TTL_ATTRIBUTE) return;
      throw error;
    }
  }
  throw new TableMismatchError(tableName, [
    ttl.on
      ? `time to live is on attribute "${ttl.attribute}", but snapshots.ttlSeconds writes "${SNAPSHOTS_TTL_ATTRIBUTE}"`
      : `time to live is ${ttl.status.toLowerCase()}, but snapshots.ttlSeconds needs it on attribute "${SNAPSHOTS_TTL_ATTRIBUTE}" (turn it on, or use tableSetup: 'create')`,
  ]);
}

async function describeTimeToLive(client: DynamoDBClient, tableName: string): Promise<{ status: string; on: boolean; attribute?: string }> {
  const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl?.TimeToLiveStatus ?? 'DISABLED';
  return { status, on: status === 'ENABLED' || status === 'ENABLING', attribute: ttl?.AttributeName };
}
