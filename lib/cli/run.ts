import type { CliCommand, CliCommandGroup, CommandContext } from './cli-command.js';
import { CliUsageError, EXIT_USAGE } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { ENV, loadCliSettings, type CliSettings, type SettingsRequest } from './cli-options.js';
import { COMMON_OPTIONS_HELP, parseCommandLine, PROGRAM } from './command-line.js';
import { DEFAULT_CONFIG_FILES } from './config-file.js';
import { describeFailure } from './describe-failure.js';
import { feedCommands } from './feed.command.js';
import { feedMigrationCommands } from './feed-migrate.command.js';
import { feedReconcileCommands } from './feed-reconcile.command.js';
import { packageVersion } from './package-version.js';
import { projectionCommands } from './projection.command.js';
import { snapshotsCommands } from './snapshots.command.js';
import { streamCommands } from './stream.command.js';
import { streamLifecycleCommands } from './stream-lifecycle.command.js';
import { streamsCommands } from './streams.command.js';
import { subjectCommands } from './subject.command.js';
import { tablesCommands } from './tables.command.js';

/** The `feed` group with the migration from 0.3 (a file of its own: it is no part of reading the feed). */
const feedGroup: CliCommandGroup = { ...feedCommands, summary: `${feedCommands.summary}, or move it from 0.3`, commands: [...feedCommands.commands, ...feedMigrationCommands, ...feedReconcileCommands] };

/** The `stream` group with its deletion and truncation (a file of their own: they erase, `stream show` reads). */
const streamGroup: CliCommandGroup = { ...streamCommands, summary: "Print, delete or truncate a stream", commands: [...streamCommands.commands, ...streamLifecycleCommands] };

/** Every command, by group, in the order help lists them. */
export const COMMAND_GROUPS: readonly CliCommandGroup[] = [tablesCommands, streamGroup, streamsCommands, feedGroup, projectionCommands, snapshotsCommands, subjectCommands];

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves to the exit code:
 * 0 done; 1 the work failed (DynamoDB, a table, a projection); 2 bad command line, config or
 * options (nothing was done); 130 interrupted. Never throws: a failure is one line on stderr.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let settings: CliSettings | undefined;
  try {
    return await dispatch(argv, io, (loaded) => (settings = loaded));
  } catch (error) {
    const { message, exitCode } = describeFailure(error, settings?.target);
    io.stderr.write(`${PROGRAM}: ${message}\n`);
    return exitCode;
  }
}

async function dispatch(argv: readonly string[], io: CliIo, loaded: (settings: CliSettings) => void): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stdout.write(mainHelp());
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h') return print(io, mainHelp());
  if (first === '--version' || first === '-v') return print(io, `${packageVersion()}\n`);
  if (first === 'help') return print(io, helpFor(rest));
  if (first.startsWith('-')) throw new CliUsageError(`unknown option ${first}; the command comes first: ${PROGRAM} <command> [options] (see ${PROGRAM} --help)`);

  const group = findGroup(first);
  const [action, ...args] = rest;
  if (action === '--help' || action === '-h') return print(io, groupHelp(group));
  if (action === undefined || action.startsWith('-')) {
    throw new CliUsageError(`${group.name} needs a command: ${group.commands.map((command) => command.name).join(', ')} (see ${PROGRAM} ${group.name} --help)`);
  }
  const command = findCommand(group, action);
  const { values, positionals } = parseCommandLine(command.name, args, command.options);
  if (values.help === true) return print(io, commandHelp(command));
  const { min, max } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    const problem = positionals.length < min ? 'needs' : 'takes';
    throw new CliUsageError(`${command.name} ${problem} ${describeCount(command)}; usage: ${PROGRAM} ${command.usage}`);
  }
  const context: CommandContext = {
    io,
    values,
    positionals,
    settings: async (request?: SettingsRequest) => {
      const settings = await loadCliSettings(values, io, request);
      loaded(settings);
      return settings;
    },
  };
  return command.run(context);
}

function findGroup(name: string): CliCommandGroup {
  const group = COMMAND_GROUPS.find((candidate) => candidate.name === name);
  if (group === undefined) {
    throw new CliUsageError(`unknown command "${name}"; commands: ${COMMAND_GROUPS.map((g) => g.name).join(', ')} (see ${PROGRAM} --help)`);
  }
  return group;
}

function findCommand(group: CliCommandGroup, action: string): CliCommand {
  const command = group.commands.find((candidate) => candidate.name === `${group.name} ${action}`);
  if (command === undefined) {
    throw new CliUsageError(`unknown command "${group.name} ${action}"; ${group.name} commands: ${group.commands.map((c) => c.name.split(' ')[1]).join(', ')}`);
  }
  return command;
}

function describeCount(command: CliCommand): string {
  const { min, max } = command.positionals;
  const what = /<([^>]+)>/.exec(command.usage)?.[1] ?? 'argument';
  if (min === max) return min === 0 ? 'no arguments' : `${min === 1 ? 'one' : min} ${what.replace('...', '')}`;
  return max === Number.POSITIVE_INFINITY ? `at least ${min} ${what.replace('...', '')}` : `${min} to ${max} arguments`;
}

function print(io: CliIo, text: string): number {
  io.stdout.write(text);
  return 0;
}

/** `help`, `help tables`, `help tables create`. */
function helpFor(words: readonly string[]): string {
  if (words.length === 0) return mainHelp();
  const group = findGroup(words[0]!);
  return words.length === 1 ? groupHelp(group) : commandHelp(findCommand(group, words[1]!));
}

export function commandHelp(command: CliCommand): string {
  return `Usage: ${PROGRAM} ${command.usage}\n\n${command.summary}.\n\n${command.description}\n\n${COMMON_OPTIONS_HELP}\n`;
}

function groupHelp(group: CliCommandGroup): string {
  return `Usage: ${PROGRAM} ${group.name} <command> [options]\n\n${group.summary}.\n\nCommands:\n${commandList(group.commands)}\nRun ${PROGRAM} ${group.name} <command> --help for a command's options.\n`;
}

function commandList(commands: readonly CliCommand[]): string {
  const rows = commands.map((command) => [command.usage.replace(/ \[.*$/, ''), command.summary] as const);
  const width = Math.max(...rows.map(([usage]) => usage.length));
  return rows.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}\n`).join('');
}

function mainHelp(): string {
  return `Usage: ${PROGRAM} <command> [options]

The tables, streams, global feed, projections, snapshots and personal data of nestjs-dynamo-es, from
the command line.

Commands:
${commandList(COMMAND_GROUPS.flatMap((group) => group.commands))}
Run ${PROGRAM} <command> --help (e.g. ${PROGRAM} tables create --help) for a command's options.

${COMMON_OPTIONS_HELP}
  -v, --version          Print the version

Configuration:
  The options are DynamoEventSourcingModule.forRoot()'s, checked as the module checks them. They come
  from a config file, then the environment, then the flags, each overriding the one before
  (except the region: clientConfig.region wins over $AWS_REGION, as in the module).
    ${DEFAULT_CONFIG_FILES[0]}    the options: {"tablePrefix": "prod-", "snapshots": {"keep": 3}}
    ${DEFAULT_CONFIG_FILES[1]}     export const options = {...}; export const app = ReadModelModule;
                                   (or a default export of { options, app }, or of a function giving it)
  Environment: ${ENV.endpoint}, ${ENV.region}, ${ENV.tablePrefix}, ${ENV.config}.
  Credentials come from the AWS SDK's usual chain; a local endpoint (localhost, 127.0.0.1) without
  any gets dummy ones, as DynamoDB Local accepts any.

Exit codes: 0 done; 1 the work failed (DynamoDB unreachable, a table missing or different, a
projection's lease held elsewhere, a concurrency conflict, an erasure not confirmed...); 2 bad
command line, config file or options, or a command that erases data run without a terminal to
confirm on and without --yes (nothing done); 130 interrupted.
`;
}
