import type { CliIo } from './cli-io.js';
import type { CliSettings, SettingsRequest } from './cli-options.js';
import type { CliFlagValues, CliOptionSpec } from './command-line.js';

/** What a command runs with: its parsed command line, the process's io, and the options on demand. */
export interface CommandContext {
  readonly io: CliIo;
  readonly values: CliFlagValues;
  readonly positionals: readonly string[];
  /**
   * The module options from the config file, the environment and the flags, checked as the module
   * checks them. Loaded when first asked for, so that `--help` and bad flags never load a config.
   */
  settings(request?: SettingsRequest): Promise<CliSettings>;
}

/** One command, such as `tables create`: its help and flags, and what it does. */
export interface CliCommand {
  /** The words that invoke it, after the program name: `tables create`. */
  readonly name: string;
  /** The usage line after the program name: `stream show <streamId> [--from N]`. */
  readonly usage: string;
  /** One line, for the command lists. */
  readonly summary: string;
  /** What it does and its own flags; the common flags are appended to it. */
  readonly description: string;
  readonly options: CliOptionSpec;
  /** How many positional arguments it takes. */
  readonly positionals: { readonly min: number; readonly max: number };
  /** Resolves to the exit code. Failures are thrown, and reported by `run` as one line. */
  run(context: CommandContext): Promise<number>;
}

/** Commands sharing a first word (`tables`), with the group's own help. */
export interface CliCommandGroup {
  readonly name: string;
  readonly summary: string;
  readonly commands: readonly CliCommand[];
}
