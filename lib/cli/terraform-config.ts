import type { CreateTableInput } from '@aws-sdk/client-dynamodb';
import type { PlannedTable } from '../tables/planned-tables.js';

/**
 * The tables as Terraform `aws_dynamodb_table` resources (named `events`, `snapshots`,
 * `projections`), formatted as `terraform fmt` would: attributes, keys, the events table's stream
 * (and an output of its ARN), on-demand billing, and the snapshots table's time to live when needed.
 */
export function terraformConfig(tables: readonly PlannedTable[], version: string): string {
  const header = `# DynamoDB tables of nestjs-dynamo-es ${version}\n`;
  return header + tables.map(resource).join('\n');
}

function resource({ role, definition, timeToLiveAttribute }: PlannedTable): string {
  const lines = [`resource "aws_dynamodb_table" "${role}" {`];
  lines.push(
    ...assignments(2, [
      ['name', hcl(definition.TableName!)],
      ['billing_mode', hcl(definition.BillingMode ?? 'PAY_PER_REQUEST')],
      ...keys(definition.KeySchema),
      ...stream(definition),
    ]),
  );
  for (const attribute of definition.AttributeDefinitions ?? []) {
    lines.push('', '  attribute {', ...assignments(4, [['name', hcl(attribute.AttributeName!)], ['type', hcl(attribute.AttributeType!)]]), '  }');
  }
  for (const index of definition.GlobalSecondaryIndexes ?? []) {
    const entries: Array<[string, string]> = [['name', hcl(index.IndexName!)], ...keys(index.KeySchema), ['projection_type', hcl(index.Projection?.ProjectionType ?? 'ALL')]];
    const nonKey = index.Projection?.NonKeyAttributes;
    if (nonKey !== undefined && nonKey.length > 0) entries.push(['non_key_attributes', `[${nonKey.map(hcl).join(', ')}]`]);
    lines.push('', '  global_secondary_index {', ...assignments(4, entries), '  }');
  }
  if (timeToLiveAttribute !== undefined) {
    lines.push('', '  ttl {', ...assignments(4, [['attribute_name', hcl(timeToLiveAttribute)], ['enabled', 'true']]), '  }');
  }
  lines.push('}', '');
  if (definition.StreamSpecification?.StreamEnabled === true) {
    // For the IAM policy of the feed's indexer, or a Lambda event source mapping.
    lines.push(`output "${role}_stream_arn" {`, `  value = aws_dynamodb_table.${role}.stream_arn`, '}', '');
  }
  return lines.join('\n');
}

function stream(definition: CreateTableInput): Array<[string, string]> {
  const spec = definition.StreamSpecification;
  if (spec?.StreamEnabled !== true) return [];
  return [
    ['stream_enabled', 'true'],
    ['stream_view_type', hcl(spec.StreamViewType!)],
  ];
}

function keys(schema: CreateTableInput['KeySchema']): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  const hash = schema?.find((key) => key.KeyType === 'HASH')?.AttributeName;
  const range = schema?.find((key) => key.KeyType === 'RANGE')?.AttributeName;
  if (hash !== undefined) entries.push(['hash_key', hcl(hash)]);
  if (range !== undefined) entries.push(['range_key', hcl(range)]);
  return entries;
}

/** `name = value` lines with the `=` signs aligned, as `terraform fmt` aligns consecutive arguments. */
function assignments(indent: number, entries: ReadonlyArray<[string, string]>): string[] {
  const width = Math.max(...entries.map(([name]) => name.length));
  return entries.map(([name, value]) => `${' '.repeat(indent)}${name.padEnd(width)} = ${value}`);
}

/** An HCL string literal; `${` and `%{` would start a template, so they are escaped too. */
const hcl = (value: string): string => JSON.stringify(value).replaceAll('${', '$${').replaceAll('%{', '%%{');
