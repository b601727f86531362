import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from './cli-error.js';

/** The flags of a command, in `node:util` `parseArgs` form. */
export type CliOptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flag values as `parseArgs` gives them: a string, a boolean, or absent. */
export type CliFlagValues = Readonly<Record<string, string | boolean | undefined>>;

/** The program name, as messages and help show it. */
export const PROGRAM = 'nestjs-dynamo-es';

/** The flags every command takes: where the options come from, and help. */
export const COMMON_OPTIONS = {
  config: { type: 'string' },
  endpoint: { type: 'string' },
  region: { type: 'string' },
  'table-prefix': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies CliOptionSpec;

/** The help text of {@link COMMON_OPTIONS}, appended to each command's help. */
export const COMMON_OPTIONS_HELP = `Common options:
  --config <path>        Config file (default: ${PROGRAM}.config.json, .mjs or .js in the current
                         directory, or $NESTJS_DYNAMO_ES_CONFIG)
  --endpoint <url>       DynamoDB endpoint (default: $DYNAMODB_ENDPOINT, then clientConfig.endpoint)
  --region <region>      AWS region (default: clientConfig.region, then $AWS_REGION)
  --table-prefix <p>     Prefix of every table name (default: $NESTJS_DYNAMO_ES_TABLE_PREFIX, then tablePrefix)
  -h, --help             Show this help`;

export interface ParsedCommandLine {
  readonly values: CliFlagValues;
  readonly positionals: string[];
}

/**
 * Parses a command's arguments (after its name) strictly: an unknown flag, a flag missing its value
 * or a value given to a boolean flag is a {@link CliUsageError} naming the command's help.
 */
export function parseCommandLine(command: string, args: readonly string[], options: CliOptionSpec): ParsedCommandLine {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: true });
    return { values: values as CliFlagValues, positionals };
  } catch (error) {
    throw new CliUsageError(`${describeParseError(error)} (see ${PROGRAM} ${command} --help)`);
  }
}

/** parseArgs's messages carry advice about `--` that does not fit on one line; keep what matters. */
function describeParseError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const flag = /'([^' ]+)/.exec(message ?? '')?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/argument missing/.test(message ?? '')) return `option ${flag} needs a value`;
      // `--keep -1`: parseArgs will not take a value that looks like a flag.
      if (/ambiguous/.test(message ?? '')) return `option ${flag} needs a value; to give one that starts with "-", write ${flag}=<value>`;
      if (/does not take an argument/.test(message ?? '')) return `option ${flag} takes no value`;
      return `option ${flag}: ${message}`;
    default:
      return message ?? String(error);
  }
}

/**
 * A whole-number flag, or undefined when absent.
 * @throws CliUsageError when it is not a whole number within [min, max].
 */
export function wholeNumberFlag(values: CliFlagValues, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new CliUsageError(`--${name} must be a whole number ${range}; got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** A string flag, or undefined when absent. @throws CliUsageError when given empty. */
export function stringFlag(values: CliFlagValues, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.length === 0) throw new CliUsageError(`--${name} needs a non-empty value`);
  return raw;
}

/**
 * A repeatable string flag (`multiple: true`: `--stream a --stream b`), or undefined when absent.
 * @throws CliUsageError when one of its values is empty.
 */
export function stringListFlag(values: CliFlagValues, name: string): string[] | undefined {
  // parseArgs gives an array for a `multiple` flag; CliFlagValues describes the single-valued ones.
  const raw = (values as Readonly<Record<string, unknown>>)[name];
  if (raw === undefined) return undefined;
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.some((value) => typeof value !== 'string' || value.length === 0)) throw new CliUsageError(`--${name} needs a non-empty value`);
  return list as string[];
}
