import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { transpileForChildProcess, type TranspiledSources } from '../child-node.js';
import type { FromChild, ToChild } from './messages.js';

const SCRIPTS = {
  instance: 'test/support/projection-processes/instance-process.ts',
  writer: 'test/support/projection-processes/writer-process.ts',
} as const;

export type ChildKind = keyof typeof SCRIPTS;
type MessageOf<T extends FromChild['type']> = Extract<FromChild, { type: T }>;

/** One child process and everything it has told the test. */
export class Child {
  readonly messages: FromChild[] = [];
  readonly exited: Promise<void>;
  exitExpected = false;
  private output = '';
  private disconnected = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (message: FromChild) => this.messages.push(message));
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-6000));
    process.stdout!.on('data', keep);
    process.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => process.once('exit', () => resolve()));
    process.once('disconnect', () => (this.disconnected = true));
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Why this child is a problem for the test: it failed, or exited when nobody expected it to. */
  problem(): string | undefined {
    const failed = this.all('failed')[0];
    if (failed !== undefined) return `${this.name} failed: ${failed.message}`;
    if (!this.running && this.disconnected && !this.exitExpected) return `${this.name} exited (code ${this.process.exitCode}, signal ${this.process.signalCode}); its output:\n${this.output}`;
    return undefined;
  }

  tail(): string {
    return this.output;
  }

  send(message: ToChild): void {
    if (this.running) this.process.send(message);
  }

  all<T extends FromChild['type']>(type: T): Array<MessageOf<T>> {
    return this.messages.filter((message): message is MessageOf<T> => message.type === type);
  }

  last<T extends FromChild['type']>(type: T): MessageOf<T> | undefined {
    return this.all(type).at(-1);
  }

  thaw(): void {
    this.process.kill('SIGCONT');
  }

  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.running) this.process.kill('SIGKILL');
    await this.exited;
  }
}

/**
 * The child processes of one test (app instances running the partitioned projection, writers),
 * run from a transpiled copy of this moment's sources (see child-node.ts).
 *
 * To show that a check can fail, PROJECTION_MP_MUTATION (JSON `[{ "file": "lib/...ts", "from":
 * "...", "to": "..." }]`) edits the children's copy of lib before they start (never the repository);
 * the group refuses to start when a `from` is not found.
 */
export class ProcessGroup {
  readonly children: Child[] = [];

  private constructor(private readonly sources: TranspiledSources) {}

  static create(): ProcessGroup {
    const sources = transpileForChildProcess(Object.values(SCRIPTS));
    const mutation = process.env.PROJECTION_MP_MUTATION;
    if (mutation !== undefined) {
      for (const { file, from, to } of JSON.parse(mutation) as Array<{ file: string; from: string; to: string }>) {
        const path = sources.path(file);
        const text = readFileSync(path, 'utf8');
        if (!text.includes(from)) throw new Error(`PROJECTION_MP_MUTATION: ${JSON.stringify(from)} is not in ${file}`);
        writeFileSync(path, text.replace(from, to));
      }
    }
    return new ProcessGroup(sources);
  }

  start(kind: ChildKind, name: string, env: Record<string, string>): Child {
    const child = spawn(process.execPath, [this.sources.path(SCRIPTS[kind])], {
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const wrapped = new Child(name, child);
    this.children.push(wrapped);
    return wrapped;
  }

  /** Resolves once `condition` holds (checked every 50 ms); rejects when a child fails or exits unexpectedly, or after `timeoutMs`. */
  async waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problem = this.problem();
      if (problem !== undefined) throw new Error(`While waiting until ${what}: ${problem}`);
      if (await condition()) return;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  problem(): string | undefined {
    for (const child of this.children) {
      const problem = child.problem();
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await Promise.all(this.children.map((child) => child.kill()));
    this.sources.remove();
  }
}
