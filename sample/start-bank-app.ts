import type { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createServer } from 'node:net';
import { AppModule, type BankAppOptions } from './app.module.js';
import { StartupError } from './startup.error.js';

export interface StartBankAppOptions extends BankAppOptions {
  /** 0 for any free port. */
  readonly port: number;
  /** Default: every interface. */
  readonly host?: string;
  /** Default: errors and warnings only. */
  readonly logLevels?: LogLevel[];
}

export interface RunningBankApp {
  readonly app: NestExpressApplication;
  /** e.g. `http://localhost:3000`. */
  readonly url: string;
  readonly port: number;
}

/**
 * Creates the bank app and serves its HTTP API: the tables are created and the read model rebuilt
 * before it listens. If that fails, the app is closed (which stops the connection's DynamoDB Local).
 */
export async function startBankApp({ port, host, logLevels = ['error', 'warn'], ...options }: StartBankAppOptions): Promise<RunningBankApp> {
  // abortOnError: false, so that a wiring error is thrown to the caller rather than ending the process.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(options), { logger: logLevels, abortOnError: false });
  // The only ETags are account versions (for If-Match): no content hashes from Express. And no advert.
  app.set('etag', false);
  app.disable('x-powered-by');
  try {
    await (host === undefined ? app.listen(port) : app.listen(port, host));
  } catch (error) {
    await app.close().catch(() => undefined); // the first error is the one to report
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw portInUse(port, error);
    }
    throw error;
  }
  const { port: actual } = app.getHttpServer().address() as { port: number };
  return { app, url: `http://${host === undefined || host === '0.0.0.0' || host === '::' ? 'localhost' : host}:${actual}`, port: actual };
}

/**
 * Fails at once if the port is taken, before DynamoDB Local is started and the tables are set up
 * (listen() would only find out after all that). `startBankApp` still handles losing the port in between.
 */
export function assertPortFree(port: number, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? portInUse(port, error) : error));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

function portInUse(port: number, cause: unknown): Error {
  return new StartupError(`Port ${port} is in use (another \`npm start\`?). Stop what uses it, or choose another port: PORT=3001 npm start`, { cause });
}
