/** Where a command writes: a stream, or a test's buffer. Only what the CLI needs of a `tty.WriteStream`. */
export interface CliOutput {
  write(text: string): unknown;
  /** A terminal: progress is drawn in place; otherwise it is printed as plain lines. */
  readonly isTTY?: boolean;
  /** The terminal's width, for the progress bar. */
  readonly columns?: number;
}

/**
 * What the CLI takes from its process, passed in rather than read from globals so that tests run
 * commands in-process with their own environment, working directory and output buffers.
 */
export interface CliIo {
  readonly stdout: CliOutput;
  readonly stderr: CliOutput;
  /** Environment variables (DYNAMODB_ENDPOINT, AWS_REGION, NESTJS_DYNAMO_ES_*). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The directory the default config file is looked for in, and relative paths are resolved against. */
  readonly cwd: string;
  /** Aborted on Ctrl-C: `feed tail --follow` then stops polling; a rebuild is stopped. */
  readonly signal?: AbortSignal;
  /** Where a command that asks for confirmation reads the answer (a terminal); without one it needs `--yes`. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
}
