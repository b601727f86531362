import { spawn, type ChildProcess } from 'node:child_process';
import { transpileForChildProcess, type TranspiledSources } from '../child-node.js';
import type { FromChild, ToChild } from './feed-messages.js';

const SCRIPTS = {
  writer: 'test/support/feed-processes/writer-process.ts',
  indexer: 'test/support/feed-processes/indexer-process.ts',
  follower: 'test/support/feed-processes/follower-process.ts',
} as const;
const CLOCK_SKEW = 'test/support/feed-processes/clock-skew.ts';

export type FeedChildKind = keyof typeof SCRIPTS;
type MessageOf<T extends FromChild['type']> = Extract<FromChild, { type: T }>;

/** One child process of a multi-process feed test, and everything it has told the test. */
export class FeedChild {
  readonly messages: FromChild[] = [];
  readonly exited: Promise<void>;
  /** Set when the test stops it on purpose (kill, close) or the child announced a SIGKILL of its own. */
  exitExpected = false;
  private output = '';
  private readonly listeners = new Set<(message: FromChild) => void>();
  /** The IPC channel is closed: every message the child sent before it died has been read. */
  private disconnected = false;

  constructor(
    readonly name: string,
    readonly process: ChildProcess,
  ) {
    process.on('message', (message: FromChild) => {
      this.messages.push(message);
      if (message.type === 'fault' && message.signal === 'SIGKILL') this.exitExpected = true;
      for (const listener of [...this.listeners]) listener(message);
    });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-6000));
    process.stdout!.on('data', keep);
    process.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => process.once('exit', () => resolve()));
    process.once('disconnect', () => (this.disconnected = true));
  }

  get running(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /** Why this child is a problem for the test: it failed, or exited when nobody expected it to. */
  problem(): string | undefined {
    const failed = this.messages.find((message): message is MessageOf<'failed'> => message.type === 'failed');
    if (failed !== undefined) return `${this.name} failed: ${failed.message}`;
    // Only once its last messages are in: a child that announced its own SIGKILL may be seen exiting before they are read.
    if (!this.running && this.disconnected && !this.exitExpected) return `${this.name} exited (code ${this.process.exitCode}, signal ${this.process.signalCode}); its output:\n${this.output}`;
    return undefined;
  }

  /** The last lines it wrote (stdout and stderr), for failure messages. */
  tail(): string {
    return this.output;
  }

  send(message: ToChild): void {
    if (this.running) this.process.send(message);
  }

  /** Calls `listener` with every message of `type` from now on. */
  on<T extends FromChild['type']>(type: T, listener: (message: MessageOf<T>) => void): void {
    this.listeners.add((message) => {
      if (message.type === type) listener(message as MessageOf<T>);
    });
  }

  /** The messages of `type` so far. */
  all<T extends FromChild['type']>(type: T): Array<MessageOf<T>> {
    return this.messages.filter((message): message is MessageOf<T> => message.type === type);
  }

  /** SIGCONT: a process frozen by SIGSTOP goes on where it stopped (timers, requests, everything). */
  thaw(): void {
    this.process.kill('SIGCONT');
  }

  /** SIGKILL, and resolves once it is gone. */
  async kill(): Promise<void> {
    this.exitExpected = true;
    if (this.running) this.process.kill('SIGKILL');
    await this.exited;
  }

  /** Asks it to close its app (an indexer releases its lease) and resolves once it has exited. */
  async close(): Promise<void> {
    this.exitExpected = true;
    this.send({ type: 'close' });
    await this.exited;
  }
}

/**
 * The child processes of one multi-process feed test: writers, indexers and followers, each an app
 * instance on the test's tables (see writer-process.ts, indexer-process.ts, follower-process.ts),
 * talking to the test over an IPC channel. The scripts are transpiled once per group.
 */
export class FeedProcessGroup {
  readonly children: FeedChild[] = [];

  private constructor(private readonly sources: TranspiledSources) {}

  static create(): FeedProcessGroup {
    return new FeedProcessGroup(transpileForChildProcess([...Object.values(SCRIPTS), CLOCK_SKEW]));
  }

  /** Starts a child; `clockSkewMs` sets its clock off the machine's before any of its code runs. */
  start(kind: FeedChildKind, name: string, env: Record<string, string>, options: { clockSkewMs?: number } = {}): FeedChild {
    const preload = options.clockSkewMs === undefined ? [] : ['--import', this.sources.path(CLOCK_SKEW)];
    const child = spawn(process.execPath, [...preload, this.sources.path(SCRIPTS[kind])], {
      env: { ...process.env, NO_COLOR: '1', ...env, ...(options.clockSkewMs === undefined ? {} : { CLOCK_SKEW_MS: String(options.clockSkewMs) }) },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const feedChild = new FeedChild(name, child);
    this.children.push(feedChild);
    return feedChild;
  }

  /**
   * Resolves once `condition` holds, checked on every message from a child and every 50 ms;
   * rejects as soon as a child fails or exits unexpectedly, or after `timeoutMs`, saying what was awaited.
   */
  async waitUntil(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problem = this.problem();
      if (problem !== undefined) throw new Error(`While waiting until ${what}: ${problem}`);
      if (await condition()) return;
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}`);
      await this.nextMessageOr(50);
    }
  }

  /** Waits for a child's first message passing `test` (one that came already counts). */
  async waitForMessage<T extends FromChild['type']>(child: FeedChild, type: T, what: string, timeoutMs: number, test: (message: MessageOf<T>) => boolean = () => true): Promise<MessageOf<T>> {
    let found: MessageOf<T> | undefined;
    try {
      await this.waitUntil(`${child.name}: ${what}`, () => (found = child.all(type).find(test)) !== undefined, timeoutMs);
    } catch (error) {
      const last = child.messages.slice(-5).map((message) => JSON.stringify(message).slice(0, 300));
      throw new Error(`${(error as Error).message}\n${child.name}'s last messages:\n${last.join('\n')}\nits output:\n${child.tail()}`);
    }
    return found!;
  }

  /** The first problem of any child (see FeedChild.problem). */
  problem(): string | undefined {
    for (const child of this.children) {
      const problem = child.problem();
      if (problem !== undefined) return problem;
    }
    return undefined;
  }

  /** Kills every child still running (frozen ones included) and removes the transpiled scripts. */
  async close(): Promise<void> {
    await Promise.all(this.children.map((child) => child.kill()));
    this.sources.remove();
  }

  private nextMessageOr(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        for (const child of this.children) child.process.off('message', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      for (const child of this.children) child.process.on('message', done);
    });
  }
}
