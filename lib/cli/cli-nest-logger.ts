import type { LoggerService } from '@nestjs/common';
import type { CliOutput } from './cli-io.js';

/**
 * Nest's logger while the CLI runs an app: warnings and errors as one line each on stderr (no
 * start-up chatter on stdout). Errors of Nest's ExceptionHandler are left out: the CLI reports the
 * failure itself, once.
 */
export class CliNestLogger implements LoggerService {
  constructor(private readonly stderr: CliOutput) {}

  log(): void {}

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warning', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    if (contextOf(params) === 'ExceptionHandler') return;
    this.write('error', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.error(message, ...params);
  }

  private write(level: string, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    const text = message instanceof Error ? message.message : String(message);
    this.stderr.write(`${level}: ${context === undefined ? '' : `[${context}] `}${text.replace(/\s*\n\s*/g, ' ')}\n`);
  }
}

/** Nest passes the context last: `(message, context)` or `(message, stack, context)`. */
function contextOf(params: readonly unknown[]): string | undefined {
  const last = params.at(-1);
  return typeof last === 'string' && !last.includes('\n') ? last : undefined;
}
