import { open, unlink, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliUsageError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { stringFlag, type CliFlagValues } from './command-line.js';

/** The `--out` flag of the commands that print an erasure report, for their help. */
export const OUT_OPTION_HELP = `  --out <file>           Also write the report to this new file (never over an existing one)`;

/**
 * Where an erasure report goes: stdout always, and the `--out` file when given.
 *
 * The file is created (empty) before the erasure, so that a path that cannot be written (a missing
 * directory, a file already there) stops the command before anything is deleted, rather than after,
 * when the report of an erasure that cannot be redone would be lost. An existing file is never
 * overwritten: it may be the report of an earlier erasure.
 */
export class ErasureReportOutput {
  private constructor(
    private readonly io: CliIo,
    private readonly file?: { readonly path: string; readonly handle: FileHandle },
  ) {}

  /**
   * Opens the `--out` file, if any.
   * @throws CliUsageError (exit code 2) when it exists already or cannot be created; nothing was done.
   */
  static async open(io: CliIo, values: CliFlagValues): Promise<ErasureReportOutput> {
    const given = stringFlag(values, 'out');
    if (given === undefined) return new ErasureReportOutput(io);
    const path = resolve(io.cwd, given);
    try {
      return new ErasureReportOutput(io, { path, handle: await open(path, 'wx') });
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === 'EEXIST') throw new CliUsageError(`--out ${given}: the file exists already; the report is never written over a file (give a new name). Nothing was done.`);
      throw new CliUsageError(`--out ${given}: cannot create the file (${message}). Nothing was done.`);
    }
  }

  /** Prints the report as JSON on stdout and writes it to the `--out` file, saying so on stderr. */
  private async write(report: object): Promise<void> {
    const json = `${JSON.stringify(report, null, 2)}\n`;
    this.io.stdout.write(json);
    if (this.file === undefined) return;
    try {
      await this.file.handle.writeFile(json, 'utf8');
    } finally {
      await this.file.handle.close();
    }
    this.io.stderr.write(`The report was also written to ${this.file.path}.\n`);
  }

  /** After a failure: removes the `--out` file created for a report that never came (it is empty). */
  private async discard(): Promise<void> {
    if (this.file === undefined) return;
    await this.file.handle.close();
    await unlink(this.file.path).catch(() => undefined);
  }

  /**
   * Runs a step that comes before the report (a question, a read); if it fails, removes the empty
   * `--out` file, so that a refused or failed command leaves no file behind, and rethrows.
   */
  async guard<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      await this.discard();
      throw error;
    }
  }

  /** Runs `erase` (guarded as {@link guard}) and writes the report it resolves to. */
  async deliver(erase: () => Promise<object>): Promise<void> {
    await this.write(await this.guard(erase));
  }
}
