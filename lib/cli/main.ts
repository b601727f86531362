#!/usr/bin/env node
/**
 * The `nestjs-dynamo-es` command (the package's bin): runs {@link run} on the process's arguments
 * and streams, and exits with its code. Everything else lives in run.ts, which tests call in-process.
 */
import { run } from './run.js';

// The AWS SDK prints a multi-line notice on Node 20 when the first client is built; this CLI's errors are one line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// The first Ctrl-C stops the command cleanly (feed tail --follow ends, a rebuild stops and releases
// its lease); the handler is gone after it, so a second one kills the process as usual.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());
process.once('SIGTERM', () => interrupt.abort());
// A reader that stops reading (`feed tail | head`) closes the pipe: that ends the command quietly, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

const exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
  stdin: process.stdin,
});
process.exitCode = exitCode;
// Whatever an app module may have left running (timers, sockets) must not keep a finished command alive;
// unref'd, this fires only if something else still holds the process, after output had time to flush.
setTimeout(() => process.exit(), 1000).unref();
