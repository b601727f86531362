/** Exit code of a command that failed while doing its work (DynamoDB, a table, a projection). */
export const EXIT_FAILURE = 1;
/** Exit code of a command that was given a bad command line, config file or option: nothing was done. */
export const EXIT_USAGE = 2;
/** Exit code of a command cut short by Ctrl-C (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * A failure the CLI reports as one line on stderr, with its exit code. Thrown by the commands for
 * what they detect themselves; errors of the module and of the AWS SDK are described by `describeFailure`.
 */
export class CliError extends Error {
  override readonly name: string = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** The command line, the config file or an option is wrong (exit code 2); nothing was sent to DynamoDB. */
export class CliUsageError extends CliError {
  override readonly name: string = 'CliUsageError';

  constructor(message: string) {
    super(message, EXIT_USAGE);
  }
}
