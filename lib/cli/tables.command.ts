import type { CliCommand, CliCommandGroup, CommandContext } from './cli-command.js';
import { CliUsageError } from './cli-error.js';
import type { CliSettings } from './cli-options.js';
import { cloudFormationTemplate } from './cloudformation-template.js';
import { packageVersion } from './package-version.js';
import { tablesJson } from './table-json.js';
import { plannedTables, type PlannedTable } from '../tables/planned-tables.js';
import { reportTables } from './table-report.js';
import { terraformConfig } from './terraform-config.js';

// The AWS SDK is loaded inside run() (cli-runtime, table-check), only by the commands that send requests:
// help, usage errors and `tables print` answer without it.

const SELECTION_OPTIONS = {
  projections: { type: 'boolean' },
  snapshots: { type: 'boolean' },
} as const;

const SELECTION_HELP = `Tables:
  events        always, with a DynamoDB Stream (view type NEW_IMAGE) for the global feed unless the
                options say feed: false
  snapshots     when the options turn snapshots on (snapshots: {}), or with --snapshots
  projections   with --projections, when the options name tables.projections, or when the config
                exports an app

Options:
  --projections          Include the projections table
  --snapshots            Include the snapshots table even though the options leave snapshots off`;

/** The tables a `tables` command works on: those the options imply, and those its flags add. */
async function selectedTables(context: CommandContext): Promise<{ settings: CliSettings; tables: PlannedTable[] }> {
  const settings = await context.settings({ snapshots: context.values.snapshots === true });
  const projections = context.values.projections === true || settings.options.tables?.projections !== undefined || settings.app !== undefined;
  return { settings, tables: plannedTables(settings.resolved, projections) };
}

const create: CliCommand = {
  name: 'tables create',
  usage: 'tables create [--projections] [--snapshots] [options]',
  summary: 'Create the tables the options imply, and verify those that exist',
  description: `Creates each table that does not exist yet (on-demand billing, as the module defines it) and waits
until it is ACTIVE; verifies the keys and indexes of those that exist, and turns the events table's
DynamoDB Stream on where it is off (not on a table of version 0.3: run feed migrate for that one).
With snapshots.ttlSeconds, turns the snapshots table's time to live on. Prints one line per table
in the words of tables verify (created, or exists and matches; with the events table's stream view
type and ARN); one line on stderr per table that differs, and exits with 1.

${SELECTION_HELP}`,
  options: SELECTION_OPTIONS,
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { settings, tables } = await selectedTables(context);
    const [{ withCliRuntime }, { ensureTable }] = await Promise.all([import('./cli-runtime.js'), import('./table-check.js')]);
    return withCliRuntime(settings, ({ client }) => reportTables(context.io, tables, (table) => ensureTable(client, table)));
  },
};

const verify: CliCommand = {
  name: 'tables verify',
  usage: 'tables verify [--projections] [--snapshots] [options]',
  summary: 'Check that the tables exist with the keys and stream the module needs',
  description: `Checks each table as tableSetup: 'verify' does at the app's start-up: that it exists, with the key
schema the module needs, the events table's DynamoDB Stream of view type NEW_IMAGE (or
NEW_AND_OLD_IMAGES) unless feed: false, and time to live on expiresAt with snapshots.ttlSeconds.
Prints one line per table that matches, in the words of tables create (exists and matches, with the
events table's stream view type and ARN); one line on stderr per table that does not, and exits
with 1. Changes nothing.

${SELECTION_HELP}`,
  options: SELECTION_OPTIONS,
  positionals: { min: 0, max: 0 },
  async run(context) {
    const { settings, tables } = await selectedTables(context);
    const [{ withCliRuntime }, { verifyTable }] = await Promise.all([import('./cli-runtime.js'), import('./table-check.js')]);
    return withCliRuntime(settings, ({ client }) => reportTables(context.io, tables, (table) => verifyTable(client, table)));
  },
};

const FORMATS = ['json', 'cloudformation', 'cloudformation-json', 'terraform'];

const print: CliCommand = {
  name: 'tables print',
  usage: 'tables print [--format json|cloudformation|cloudformation-json|terraform] [--projections] [--snapshots] [options]',
  summary: 'Print the table definitions as JSON, CloudFormation or Terraform, without contacting DynamoDB',
  description: `Prints the definitions of the tables the options imply, exactly as the module creates them, to carry
into infrastructure code. Sends no request.

Formats:
  json                   {"events": {"table": <CreateTableInput>, "timeToLive"?: {...}}, ...}: each "table"
                         is what \`aws dynamodb create-table --cli-input-json\` takes (default)
  cloudformation         a CloudFormation template (YAML) of AWS::DynamoDB::Table resources
  cloudformation-json    the same template as JSON
  terraform              aws_dynamodb_table resources (HCL)

${SELECTION_HELP}
  --format <format>      Output format (default: json)`,
  options: { ...SELECTION_OPTIONS, format: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run(context) {
    const format = (context.values.format as string | undefined) ?? 'json';
    if (!FORMATS.includes(format)) throw new CliUsageError(`--format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
    const { tables } = await selectedTables(context);
    const version = packageVersion();
    const text =
      format === 'json'
        ? tablesJson(tables)
        : format === 'terraform'
          ? terraformConfig(tables, version)
          : cloudFormationTemplate(tables, format === 'cloudformation' ? 'yaml' : 'json', version);
    context.io.stdout.write(text);
    return 0;
  },
};

/** `tables create | verify | print`. */
export const tablesCommands: CliCommandGroup = {
  name: 'tables',
  summary: 'Create, verify or print the tables',
  commands: [create, verify, print],
};
