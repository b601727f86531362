import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Sources transpiled for a child Node process: ES modules in a temporary folder that sees the repository's node_modules. */
export interface TranspiledSources {
  readonly dir: string;
  /** The transpiled file of a source (`test/support/x.ts` → `<dir>/test/support/x.js`). */
  path(source: string): string;
  remove(): void;
}

/**
 * Transpiles `entries` (paths from the repository root) and every file they import relatively into
 * a fresh temporary folder, so that a test can run them in a child process (which jest's TypeScript
 * transform does not reach). A copy of this moment's sources: no build output another run may be
 * replacing. Types are not checked here (tsc does that).
 */
export function transpileForChildProcess(entries: readonly string[]): TranspiledSources {
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-dynamo-es-child-'));
  const { config } = ts.readConfigFile(join(repo, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, repo);
  const compilerOptions = { ...options, sourceMap: false, declaration: false, outDir: undefined, rootDir: undefined };
  const pending = entries.map((entry) => resolve(repo, entry));
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop()!;
    if (done.has(source)) continue;
    done.add(source);
    const text = readFileSync(source, 'utf8');
    const { outputText } = ts.transpileModule(text, { compilerOptions, fileName: source });
    const target = join(dir, relative(repo, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue; // a package: found through the node_modules link
      const imported = resolve(dirname(source), fileName.replace(/\.js$/, '.ts'));
      if (existsSync(imported)) pending.push(imported);
    }
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(repo, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    path: (source) => join(dir, source).replace(/\.ts$/, '.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A child Node process whose stdout lines a test can wait for. */
export interface ChildNode {
  readonly process: ChildProcess;
  /** Everything written to stderr so far (for failure messages). */
  stderr(): string;
  /** Resolves with the first stdout line passing `test`; rejects if the process exits first or after `timeoutMs`. */
  waitForLine(test: (line: string) => boolean, timeoutMs: number): Promise<string>;
  /** SIGKILLs it and resolves once it is gone. */
  kill(): Promise<void>;
}

/** Runs `script` with this Node, with `env` added to this process's environment. */
export function startChildNode(script: string, env: Record<string, string> = {}): ChildNode {
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const listener of [...listeners]) listener();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    stderr: () => stderr,
    waitForLine(test, timeoutMs) {
      return new Promise((resolve, reject) => {
        const finish = (error?: Error, line?: string) => {
          listeners.delete(check);
          clearTimeout(timer);
          if (error) reject(error);
          else resolve(line!);
        };
        const check = () => {
          const line = lines.find(test);
          if (line !== undefined) finish(undefined, line);
        };
        const timer = setTimeout(() => finish(new Error(`no such line from the child within ${timeoutMs} ms; stderr:\n${stderr}`)), timeoutMs);
        void exited.then(() => {
          check();
          finish(new Error(`the child exited (code ${child.exitCode}, signal ${child.signalCode}) before writing such a line; stderr:\n${stderr}`));
        });
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Whether a process runs (a zombie, dead but not yet reaped, does not count). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Field 3 of /proc/<pid>/stat is the state; the command name before it is in parentheses.
    return !/\)\s+Z\s/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (not Linux): kill(0) is all there is
  }
}

/** Resolves to the time a process was first seen gone, checking every few ms; undefined if it still runs at `deadline`. */
export async function whenGone(pid: number, deadline: number): Promise<number | undefined> {
  for (;;) {
    if (!isRunning(pid)) return Date.now();
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
