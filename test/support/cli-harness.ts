import { spawn } from 'node:child_process';
import { run } from '../../lib/cli/run.js';
import type { CliIo, CliOutput } from '../../lib/cli/cli-io.js';

/** A stream a test reads: everything written, and a way to wait for a line (no sleeping). */
export class CapturedOutput implements CliOutput {
  private chunks: string[] = [];
  private waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}

  write(text: string): boolean {
    this.chunks.push(text);
    for (const waiter of [...this.waiters]) {
      const line = this.lines().find(waiter.test);
      if (line !== undefined) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
    return true;
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** Complete lines (a line still being drawn in place is left out). */
  lines(): string[] {
    const parts = this.text.split('\n');
    return parts.slice(0, -1);
  }

  /** Resolves with the first line that passes `test`, now or once written. */
  waitForLine(test: (line: string) => boolean): Promise<string> {
    const line = this.lines().find(test);
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

export interface CliRunOptions {
  /** Environment of the run; DYNAMODB_ENDPOINT comes from the test run unless given. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  signal?: AbortSignal;
  stdout?: CapturedOutput;
  stderr?: CapturedOutput;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stderr's lines. */
  readonly errors: string[];
}

/**
 * Runs the CLI in-process, as `nestjs-dynamo-es <args>` would, with the test run's DynamoDB
 * endpoint (and AWS_REGION) in its environment (and nothing else of the process's, so the test sees exactly what the
 * CLI reads).
 */
export async function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  const stdout = options.stdout ?? new CapturedOutput();
  const stderr = options.stderr ?? new CapturedOutput();
  const io: CliIo = {
    stdout,
    stderr,
    env: { DYNAMODB_ENDPOINT: process.env.DYNAMODB_ENDPOINT, AWS_REGION: process.env.AWS_REGION, ...options.env },
    cwd: options.cwd ?? process.cwd(),
    signal: options.signal,
  };
  const code = await run(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text, errors: stderr.lines() };
}

/** The built CLI, as the package's bin runs it. */
export const BUILT_CLI = 'dist/lib/cli/main.js';

/**
 * Runs the built CLI in a child process with exactly `env` (plus PATH), as a user's shell would;
 * resolves with its exit code and output.
 */
export function spawnCli(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUILT_CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr, errors: stderr.split('\n').slice(0, -1) }));
  });
}
