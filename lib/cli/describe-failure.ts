import { EventStoreErrorCode } from '../errors/event-store.error.js';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './cli-error.js';
import { connectionFailure } from '../tables/dynamodb-reachability.js';

/** A failure as the CLI reports it: one line, and the exit code. */
export interface FailureReport {
  readonly message: string;
  readonly exitCode: number;
}

/** Every code InvalidArgumentError carries: they all start INVALID_ (module options have their own code above). */
const INVALID_ARGUMENT_CODES = Object.values(EventStoreErrorCode).filter((code) => code.startsWith('INVALID_'));

/**
 * Codes of the module's errors that mean the input was wrong (exit code 2), not that the work failed.
 * By code, not class: an app compiled to CommonJS throws the classes of the package's other build.
 */
const USAGE_CODES = new Set<string>([
  EventStoreErrorCode.INVALID_MODULE_OPTIONS,
  EventStoreErrorCode.FEED_DISABLED,
  EventStoreErrorCode.SNAPSHOTS_DISABLED,
  EventStoreErrorCode.PERSONAL_DATA_DISABLED,
  EventStoreErrorCode.UNKNOWN_PROJECTION,
  ...INVALID_ARGUMENT_CODES,
]);

/**
 * Describes any error a command throws as one line, saying what went wrong where (`target`: the
 * endpoint or region), so that a script's log shows the cause without a stack trace.
 */
export function describeFailure(error: unknown, target = 'DynamoDB'): FailureReport {
  if (error instanceof CliError) return report(error.message, error.exitCode);
  // The module retries a refused connection too; when it gives up, what the user needs to hear is where it could not connect.
  const connection = connectionFailure(error);
  if (connection !== undefined && isModuleError(error) && error.code === EventStoreErrorCode.RETRIES_EXHAUSTED) {
    return report(`cannot reach DynamoDB at ${target}: ${connection}`, EXIT_FAILURE);
  }
  if (isModuleError(error)) return report(error.message, USAGE_CODES.has(error.code) ? EXIT_USAGE : EXIT_FAILURE);
  if (connection !== undefined) return report(`cannot reach DynamoDB at ${target}: ${connection}`, EXIT_FAILURE);
  const { name = 'Error', message = String(error) } = (error ?? {}) as { name?: string; message?: string };
  if (name === 'CredentialsProviderError') {
    return report(`no AWS credentials for ${target} (${message}); set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`, EXIT_FAILURE);
  }
  if (/region is missing/i.test(message)) return report('no AWS region: set --region, AWS_REGION or clientConfig.region', EXIT_USAGE);
  if ((error as { $metadata?: unknown })?.$metadata !== undefined) return report(`${target} answered ${name}: ${message}`, EXIT_FAILURE);
  return report(name === 'Error' ? message : `${name}: ${message}`, EXIT_FAILURE);
}

/** Newlines (SDK messages, user errors) would break the one-line contract: folded into spaces. */
const report = (message: string, exitCode: number): FailureReport => ({ message: message.replace(/\s*\n\s*/g, ' ').trim(), exitCode });

/** An error of this package, from either of its builds: recognized by its stable code. */
function isModuleError(error: unknown): error is { code: string; message: string } {
  const code = (error as { code?: unknown })?.code;
  return error instanceof Error && typeof code === 'string' && (Object.values(EventStoreErrorCode) as string[]).includes(code);
}
