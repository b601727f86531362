import { fork, type ChildProcess } from 'node:child_process';
import { transpileForChildProcess, type TranspiledSources } from '../child-node.js';
import type { FromWarmWriter, ToWarmWriter } from './warm-writer-messages.js';

const SCRIPT = 'test/support/lifecycle-processes/warm-writer-process.ts';

type Question = ToWarmWriter extends infer Q ? (Q extends { id: number } ? Omit<Q, 'id'> : never) : never;

/** The warm writer process, driven by the test: one question at a time, each answered. */
export class WarmWriter {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: FromWarmWriter) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly sources: TranspiledSources,
  ) {
    child.on('message', (raw) => {
      const answer = raw as FromWarmWriter;
      this.waiting.get(answer.id)?.(answer);
      this.waiting.delete(answer.id);
    });
  }

  /** Starts the process on `tableName` with its boundary cache trusting what it saw for `trustMs`. */
  static async start(tableName: string, trustMs: number): Promise<WarmWriter> {
    const sources = transpileForChildProcess([SCRIPT]);
    const child = fork(sources.path(SCRIPT), [], { env: { ...process.env, LIFECYCLE_TABLE: tableName, LIFECYCLE_TRUST_MS: String(trustMs) }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const writer = new WarmWriter(child, sources);
    await new Promise<void>((resolve, reject) => {
      writer.waiting.set(0, () => resolve());
      child.once('exit', (code) => reject(new Error(`the warm writer exited (code ${code}) before it was ready`)));
    });
    return writer;
  }

  ask(question: Question): Promise<FromWarmWriter> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.send({ ...question, id } as ToWarmWriter);
    });
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
    this.sources.remove();
  }
}
