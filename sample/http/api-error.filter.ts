import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { STATUS_CODES } from 'node:http';
import { ConcurrencyError, InvalidArgumentError, ProjectionLeaseHeldError, StreamDeletedError, SubjectForgottenError, UnknownProjectionError } from '../../lib/index.js';
import { AlreadyExistsError } from '../shared/already-exists.error.js';
import { DomainRuleError } from '../shared/domain-rule.error.js';
import { NotFoundError } from '../shared/not-found.error.js';
import { RequestValidationError } from './request-validation.error.js';

/** Every error response of the API has this body. */
export interface ApiErrorBody {
  readonly statusCode: number;
  /** The status's name, e.g. "Conflict". */
  readonly error: string;
  /** What went wrong and what to do, in a sentence or two. */
  readonly message: string;
  /** For programs: the fields at fault (400), the rule and its facts (422), the versions (409). */
  readonly details?: unknown;
}

interface Mapped {
  readonly status: number;
  readonly message: string;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * Maps every error to a status and an ApiErrorBody:
 *
 * | error | status |
 * | --- | --- |
 * | invalid body, path id or header (RequestValidationError), the library's InvalidArgumentError | 400 |
 * | unknown account or transfer, unknown projection, unknown route | 404 |
 * | ConcurrencyError (stale If-Match, a lost race), an account id already taken, a projection's lease held elsewhere | 409 |
 * | a hard-deleted account (StreamDeletedError): read or written | 410 |
 * | a rule of the bank (overdraft, closed account, other currency, closing a non-empty account or one with a transfer in flight, deleting an open one); an account for a forgotten customer (SubjectForgottenError) | 422 |
 * | anything else | 500, logged, no internals in the body |
 *
 * 409 means "the state changed under you: read again and retry"; 422 means "this request is well
 * formed but the bank refuses it as it stands", so a client can tell the two apart.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('BankApi');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const { httpAdapter } = this.adapterHost;
    const response = host.switchToHttp().getResponse<unknown>();
    const { status, message, details, headers } = this.map(error);
    for (const [name, value] of Object.entries(headers ?? {})) httpAdapter.setHeader(response, name, value);
    const body: ApiErrorBody = { statusCode: status, error: STATUS_CODES[status] ?? 'Error', message, ...(details === undefined ? {} : { details }) };
    httpAdapter.reply(response, body, status);
  }

  private map(error: unknown): Mapped {
    if (error instanceof RequestValidationError) return { status: 400, message: error.message, details: error.problems };
    if (error instanceof NotFoundError) {
      const { resource, id, notProjectedYet } = error;
      // A miss because the read model lags (not because the id is unknown) is worth a retry.
      return { status: 404, message: error.message, details: { resource, id, notProjectedYet }, headers: notProjectedYet ? { 'Retry-After': '1' } : undefined };
    }
    if (error instanceof DomainRuleError) return { status: 422, message: error.message, details: { code: error.code, ...error.facts } };
    if (error instanceof ConcurrencyError) {
      const { streamId, expectedVersion, actualVersion } = error;
      return {
        status: 409,
        message: `"${streamId}" is at version ${actualVersion}, not ${String(expectedVersion)}: it changed since you read it. Nothing was written; read it again and retry.`,
        details: { code: error.code, streamId, expectedVersion, actualVersion },
      };
    }
    if (error instanceof StreamDeletedError) {
      const { streamId, deletedVersion, deletedAt } = error;
      return {
        status: 410,
        message: `"${streamId}" was erased for good (hard-deleted); its id cannot be used again.`,
        details: { code: error.code, streamId, deletedVersion, deletedAt: deletedAt?.toISOString() ?? null },
      };
    }
    if (error instanceof SubjectForgottenError) {
      return { status: 422, message: `Customer "${error.subjectId}" was forgotten (their personal data erased): no account can be opened for them again.`, details: { code: error.code, customerId: error.subjectId } };
    }
    if (error instanceof AlreadyExistsError) return { status: 409, message: error.message, details: { code: 'ALREADY_EXISTS', resource: error.resource, id: error.id } };
    if (error instanceof ProjectionLeaseHeldError) return { status: 409, message: error.message, details: { code: error.code, holder: error.holder } };
    if (error instanceof UnknownProjectionError) return { status: 404, message: error.message, details: { code: error.code } };
    if (error instanceof InvalidArgumentError) return { status: 400, message: error.message, details: { code: error.code } };
    if (error instanceof HttpException) return this.fromHttpException(error);
    this.logger.error(`Unexpected error: ${(error as Error)?.stack ?? String(error)}`);
    return { status: 500, message: 'Something went wrong on our side; it has been logged.' };
  }

  /** Nest's own (an unknown route, a body that is not JSON): same body shape as the others. */
  private fromHttpException(error: HttpException): Mapped {
    const status = error.getStatus();
    // The platform turns the JSON parser's SyntaxError into a 400 that only quotes the parser.
    if (status === 400 && error.cause instanceof SyntaxError) return { status, message: `The body is not valid JSON: ${error.cause.message}.` };
    const response = error.getResponse();
    const raw = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    const message = Array.isArray(raw) ? raw.join('; ') : typeof raw === 'string' ? raw : error.message;
    return { status, message };
  }
}
