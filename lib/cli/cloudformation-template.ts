import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import type { PlannedTable } from '../tables/planned-tables.js';
import { toYaml } from './yaml.js';

/**
 * The tables as a CloudFormation template of `AWS::DynamoDB::Table` resources (logical ids
 * `EventsTable`, `SnapshotsTable`, `ProjectionsTable`), in YAML or JSON: the same keys, indexes,
 * stream and billing mode the module creates, plus the snapshots table's time to live when needed.
 * A table with a stream gets an output of its ARN (`EventsTableStreamArn`), for the IAM policy of
 * the feed's indexer or for a Lambda event source mapping.
 */
export function cloudFormationTemplate(tables: readonly PlannedTable[], format: 'yaml' | 'json', version: string): string {
  const streamed = tables.filter((table) => table.definition.StreamSpecification?.StreamEnabled === true);
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `DynamoDB tables of nestjs-dynamo-es ${version}`,
    Resources: Object.fromEntries(tables.map((table) => [logicalId(table), { Type: 'AWS::DynamoDB::Table', Properties: properties(table) }])),
    Outputs:
      streamed.length === 0
        ? undefined
        : Object.fromEntries(streamed.map((table) => [`${logicalId(table)}StreamArn`, { Value: { 'Fn::GetAtt': [logicalId(table), 'StreamArn'] } }])),
  };
  return format === 'json' ? `${JSON.stringify(template, null, 2)}\n` : toYaml(template);
}

const logicalId = (table: PlannedTable): string => `${table.role[0]!.toUpperCase()}${table.role.slice(1)}Table`;

/** A CreateTableInput's fields carry over under the same names; only those CloudFormation takes are copied. */
function properties({ definition, timeToLiveAttribute }: PlannedTable): Record<string, unknown> {
  const props: Record<string, unknown> = {
    TableName: definition.TableName,
    BillingMode: definition.BillingMode,
    AttributeDefinitions: definition.AttributeDefinitions?.map(({ AttributeName, AttributeType }) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(definition.KeySchema),
  };
  if (definition.GlobalSecondaryIndexes !== undefined) {
    props.GlobalSecondaryIndexes = definition.GlobalSecondaryIndexes.map((index) => ({
      IndexName: index.IndexName,
      KeySchema: keySchema(index.KeySchema),
      Projection: { ProjectionType: index.Projection?.ProjectionType, NonKeyAttributes: index.Projection?.NonKeyAttributes },
    }));
  }
  // CloudFormation's StreamSpecification has no StreamEnabled: the stream is on when it is there.
  if (definition.StreamSpecification?.StreamEnabled === true) props.StreamSpecification = { StreamViewType: definition.StreamSpecification.StreamViewType };
  if (timeToLiveAttribute !== undefined) props.TimeToLiveSpecification = { AttributeName: timeToLiveAttribute, Enabled: true };
  return props;
}

const keySchema = (schema: CreateTableInput['KeySchema']) => schema?.map(({ AttributeName, KeyType }) => ({ AttributeName, KeyType }));
