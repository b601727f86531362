import { createInterface } from 'node:readline';
import { CliError, CliUsageError, EXIT_FAILURE } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import type { CliFlagValues } from './command-line.js';

/** What a destructive command is about to do, as the user must read it before saying yes. */
export interface Consequence {
  /** The command, as the refusal names it: `stream delete`. */
  readonly command: string;
  /** What will happen, in full sentences, ending with whether (and why) it cannot be undone. */
  readonly explanation: string;
  /** The question, answered with y or n: `Hard-delete stream "order-1"?`. */
  readonly question: string;
}

/**
 * Asks on the terminal before a command deletes or hides data, unless `--yes` was given.
 *
 * Without a terminal (a pipe, a CI job, a cron) nobody can answer, and taking silence for yes would
 * erase data a script did not mean to: the command is refused instead, before any request is sent.
 *
 * @throws CliUsageError (exit code 2) when there is no terminal to ask on and no `--yes`;
 *   CliError (exit code 1) when the answer is anything but y or yes. Nothing was done either way.
 */
export async function confirmConsequence(io: CliIo, values: CliFlagValues, consequence: Consequence): Promise<void> {
  if (values.yes === true) return;
  const { stdin } = io;
  if (stdin?.isTTY !== true) {
    throw new CliUsageError(`${consequence.command}: ${consequence.explanation} Nothing was done; with no terminal to ask on, confirm with --yes.`);
  }
  io.stderr.write(`${consequence.explanation}\n`);
  const lines = createInterface({ input: stdin, terminal: false });
  try {
    io.stderr.write(`${consequence.question} [y/N] `);
    const answer = await new Promise<string>((resolve) => {
      lines.once('line', resolve);
      // Ctrl-D: no answer is a no.
      lines.once('close', () => resolve(''));
    });
    if (!/^y(es)?$/i.test(answer.trim())) throw new CliError('not confirmed: nothing was done', EXIT_FAILURE);
  } finally {
    lines.close();
  }
}
