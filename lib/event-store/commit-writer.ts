import { AppendOutcomeUnknownError } from '../errors/append-outcome-unknown.error.js';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import type { CommitHeader } from './commit-packer.js';
import { BoundaryTrustExpired } from './boundary-trust-expired.js';
import { classifyWriteError } from './dynamo-errors.js';
import { decodeEventItem, type StoredEventItem } from './event-item.codec.js';
import { transactionToken, type EventStreamTable } from './event-stream-table.js';
import { backoffDelay, sleep, type RetryOptions } from './retry-policy.js';
import { noteRetry } from '../telemetry/active-operation.js';
import { NO_TELEMETRY } from '../telemetry/no-telemetry.js';
import { commitWriteAttributes } from '../telemetry/operation-attributes.js';
import { SpanAttribute, SpanName } from '../telemetry/span-names.js';
import type { Telemetry } from '../telemetry/telemetry.js';

/** The write attempts of one append at one position. */
export interface WriteAttempts {
  made: number;
  /** Whether some attempt got no answer (a timeout, a reset, a 5xx): it may have been applied. */
  unanswered: boolean;
}

/**
 * Sends one commit's items at one position until DynamoDB answers for certain: written, or the key
 * is taken (by whom). Throttling, 5xx answers, timeouts and dropped connections are retried within
 * the module's budget.
 */
export class CommitWriter {
  constructor(
    private readonly table: EventStreamTable,
    private readonly retry: Required<RetryOptions>,
    private readonly telemetry: Telemetry = NO_TELEMETRY,
  ) {}

  /** Writes the items, retrying transient errors. Resolves to the key's holder on a conflict, to undefined on success. */
  write(
    items: Parameters<EventStreamTable['write']>[0],
    header: CommitHeader,
    start: number,
    attempts: WriteAttempts,
    /** When the position came from the boundary cache: whether it is still trusted (checked before every attempt). */
    stillTrusted?: () => boolean,
  ): Promise<{ existing?: StoredEventItem } | undefined> {
    return this.telemetry.trace(
      SpanName.commitWrite,
      () => commitWriteAttributes(header.streamId, header.commitId, start, items.length),
      () => this.send(items, header, start, attempts, stillTrusted),
      (conflict) => ({ [SpanAttribute.attempts]: attempts.made, [SpanAttribute.positionTaken]: conflict !== undefined }),
    );
  }

  private async send(
    items: Parameters<EventStreamTable['write']>[0],
    header: CommitHeader,
    start: number,
    attempts: WriteAttempts,
    stillTrusted?: () => boolean,
  ): Promise<{ existing?: StoredEventItem } | undefined> {
    const beforeEach =
      stillTrusted === undefined
        ? undefined
        : () => {
            if (!stillTrusted()) throw new BoundaryTrustExpired();
          };
    // An attempt that got no answer may have been applied: once one did, running out is an unknown outcome, not a failure.
    const exhausted = (failure: { name: string }, error: unknown) =>
      attempts.unanswered
        ? new AppendOutcomeUnknownError(header.streamId, header.commitId, attempts.made, failure.name, { cause: error })
        : new RetriesExhaustedError(`Append to stream "${header.streamId}"`, attempts.made, failure.name, {
            cause: error,
            advice: `Nothing was written. Retrying with { commitId: "${header.commitId}" } is safe in any case.`,
          });
    for (;;) {
      const attempt = ++attempts.made;
      try {
        const token = transactionToken(header.streamId, header.commitId, header.firstEventId, start, header.committedAt);
        await this.table.write(items, token, {
          beforeEach,
          // The SDK retries a lost answer itself, then may fail on throttling: the caller would never see the attempt that may have landed.
          afterFailed: (attemptError) => {
            if (classifyWriteError(attemptError).kind === 'unknown') attempts.unanswered = true;
          },
        });
        return undefined;
      } catch (error) {
        const failure = classifyWriteError(error);
        switch (failure.kind) {
          case 'conflict':
            // The key's holder says for certain whether an unanswered attempt landed (it is this call's item, or not).
            return { existing: failure.existing && decodeEventItem(failure.existing) };
          case 'token-reused':
            // Tokens are unique per call and position, so this only happens if DynamoDB saw this exact request before.
            return { existing: await this.table.get(header.streamId, start) };
          case 'unknown':
          case 'transient':
            // A 5xx, a timeout or a reset connection is sent again like a throttled request: if the first attempt
            // landed, the retry's failed condition returns that very item, and the append succeeds.
            if (failure.kind === 'unknown') attempts.unanswered = true;
            if (attempt >= this.retry.maxAttempts) throw exhausted(failure, error);
            noteRetry(failure.name);
            await sleep(backoffDelay(attempt, this.retry));
            break;
          default:
            if (error instanceof BoundaryTrustExpired && !attempts.unanswered) throw error; // nothing was sent: re-read the head
            if (attempts.unanswered) throw new AppendOutcomeUnknownError(header.streamId, header.commitId, attempt, (error as Error)?.name ?? 'an error', { cause: error });
            throw error;
        }
      }
    }
  }
}
