import { Controller, Delete, Get, Headers, HttpCode, NotFoundException, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ServerResponse } from 'node:http';
import {
  InjectAggregateRepository,
  ProjectionManager,
  SnapshotRepository,
  type AggregateRepository,
  type ErasureReport,
  type ProjectionStatus,
  type RebuildProgress,
} from '../../lib/index.js';
import { Account } from '../accounts/account.aggregate.js';
import { EntityIdPipe } from '../http/entity-id.pipe.js';
import type { AccountAuditResult } from './account-audit.result.js';
import { DeleteAccount } from './commands/delete-account.command.js';
import { ForgetCustomer } from './commands/forget-customer.command.js';
import { DeleteAccountParams } from './dto/delete-account.params.js';
import { AuditAccount } from './queries/audit-account.query.js';

const NDJSON = 'application/x-ndjson';

/**
 * Operations on the event-sourcing machinery itself. (A real app would put these behind
 * authentication; the sample keeps them open to show what the library offers.)
 */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly projections: ProjectionManager,
    private readonly snapshots: SnapshotRepository,
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    @InjectAggregateRepository(Account) private readonly accounts: AggregateRepository<Account>,
  ) {}

  /** A projection's state in this instance: `live`, `catching-up`, `rebuilding`... and how many events it has handled. */
  @Get('projections/:name')
  status(@Param('name') name: string) {
    return statusBody(this.projections.status(name));
  }

  /**
   * Rebuilds a projection from scratch: empties its read model and replays the whole feed into it,
   * then it follows new commits again. Reads meanwhile see the read model refilling.
   *
   * Answers with the final progress once done. With `Accept: application/x-ndjson` it streams one
   * JSON line per page as it goes (`{"type":"progress",...}`), then `{"type":"done",...}` (or
   * `{"type":"error",...}`: the status line, 200, was sent before the outcome was known).
   */
  @Post('projections/:name/rebuild')
  async rebuild(@Param('name') name: string, @Headers('accept') accept: string | undefined, @Res() response: ServerResponse): Promise<void> {
    this.projections.status(name); // an unknown name fails here, as a 404, before anything is sent
    if (!accept?.includes(NDJSON)) {
      const progress = await this.projections.rebuild(name);
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ projection: name, progress: progressBody(progress) }));
      return;
    }
    response.writeHead(200, { 'Content-Type': NDJSON, 'Cache-Control': 'no-store' });
    const line = (value: object) => response.write(`${JSON.stringify(value)}\n`);
    try {
      const progress = await this.projections.rebuild(name, { onProgress: (p) => line({ type: 'progress', ...progressBody(p) }) });
      line({ type: 'done', projection: name, progress: progressBody(progress) });
    } catch (error) {
      line({ type: 'error', message: (error as Error).message });
    }
    response.end();
  }

  /** The newest snapshot of an account (one is taken every 50 events), with the state it holds. */
  @Get('accounts/:id/snapshot')
  async snapshot(@Param('id', new EntityIdPipe('accountId')) accountId: string) {
    const streamId = this.accounts.streamIdOf(accountId);
    const snapshot = await this.snapshots.load(streamId);
    if (snapshot === undefined) throw new NotFoundException(`Account "${accountId}" has no snapshot (yet): one is taken every 50 events.`);
    const { version, revision, takenAt, sizeBytes, storedBytes, encoding, items, state } = snapshot;
    return { accountId, streamId, version, revision, takenAt, sizeBytes, storedBytes, encoding, items, state };
  }

  /**
   * Recomputes an account's balance from every event of its stream and compares it with the
   * aggregate's (which a load builds from the newest snapshot): `consistent: false` points at a
   * snapshot or an event handler that does not add up. Strongly consistent; 404 for an unknown account.
   */
  @Get('accounts/:id/audit')
  audit(@Param('id', new EntityIdPipe('accountId')) accountId: string): Promise<AccountAuditResult> {
    return this.queries.execute(new AuditAccount(accountId));
  }

  /**
   * Deletes a closed account (GDPR erasure, or the end of its retention) and answers the erasure
   * report, for the records. `mode=soft` hides its events at once (reads: 404; they stay in the
   * table until `streams purge`); `mode=hard` erases them, its snapshots and its feed entries, after
   * the purge fence (the request waits for it), and the id is refused for ever (410). Either way the
   * read model drops the account when the feed delivers the deletion. 409 when the account is not
   * at `expectedVersion`, 422 ACCOUNT_NOT_CLOSED for an open account.
   */
  @Delete('accounts/:id')
  deleteAccount(
    @Param('id', new EntityIdPipe('accountId')) accountId: string,
    @Query() query: Record<string, unknown>,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<ErasureReport> {
    const { mode, expectedVersion } = DeleteAccountParams.parse(query, ifMatch);
    return this.commands.execute(new DeleteAccount(accountId, mode, expectedVersion));
  }

  /**
   * Erases a customer's personal data by crypto-shredding (`EventStore.forgetSubject`): the names
   * on their accounts read as "[redacted]" from now on, in the events, snapshots, the feed and (once
   * it has seen `CustomerForgotten`) the read model; balances and histories stay. Answers the
   * erasure report. Forgetting again is harmless.
   */
  @Post('customers/:id/forget')
  @HttpCode(200)
  forgetCustomer(@Param('id', new EntityIdPipe('customerId')) customerId: string): Promise<ErasureReport> {
    return this.commands.execute(new ForgetCustomer(customerId));
  }
}

function progressBody({ eventsHandled, eventsPerSecond, elapsedMs, fraction, estimatedRemainingMs }: RebuildProgress) {
  return { eventsHandled, eventsPerSecond: Math.round(eventsPerSecond), elapsedMs, fraction, estimatedRemainingMs: estimatedRemainingMs ?? null };
}

function statusBody({ name, state, eventsHandled, eventsSkipped, lastError }: ProjectionStatus) {
  return { name, state, eventsHandled, eventsSkipped, lastError: lastError?.message ?? null };
}
