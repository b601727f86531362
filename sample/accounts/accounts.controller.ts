import { Body, Controller, Get, Headers, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ServerResponse } from 'node:http';
import { EntityIdPipe } from '../http/entity-id.pipe.js';
import { etagOf } from '../http/etag.js';
import { expectedVersionOf } from '../http/expected-version.js';
import { GetAccountHistory } from '../read-model/queries/get-account-history.query.js';
import { GetAccount } from '../read-model/queries/get-account.query.js';
import { newEntityId } from '../shared/entity-id.js';
import type { AccountWriteResult } from './account-write.result.js';
import { CloseAccount } from './commands/close-account.command.js';
import { DepositMoney } from './commands/deposit-money.command.js';
import { OpenAccount } from './commands/open-account.command.js';
import { WithdrawMoney } from './commands/withdraw-money.command.js';
import { MoneyAmountDto } from './dto/money-amount.dto.js';
import { OpenAccountDto } from './dto/open-account.dto.js';

/**
 * Writes go through commands and answer with the account as the write model has it right after
 * the commit, with its stream version as `ETag` (send it back as `If-Match` to write only if
 * nothing changed since: otherwise 409).
 *
 * Reads (GET) come from the read model, which follows the writes through the global feed a settle
 * window (500 ms by default) behind: right after a write, a GET may show the account as it was, or 404
 * with `Retry-After` for an account just opened. The `version` in the body says how far it has got:
 * to read your own write, poll until it reaches the version the write returned.
 */
@Controller('accounts')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(201)
  async open(@Body() body: OpenAccountDto, @Res({ passthrough: true }) response: ServerResponse): Promise<AccountWriteResult> {
    const account = await this.commands.execute(new OpenAccount(body.accountId ?? newEntityId('acc'), body.owner, body.currency, body.customerId ?? newEntityId('cus')));
    response.setHeader('Location', `/accounts/${account.accountId}`);
    return this.written(account, response);
  }

  @Post(':id/deposits')
  @HttpCode(200)
  async deposit(
    @Param('id', new EntityIdPipe('accountId')) accountId: string,
    @Body() body: MoneyAmountDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<AccountWriteResult> {
    const expectedVersion = expectedVersionOf(ifMatch, body.expectedVersion);
    return this.written(await this.commands.execute(new DepositMoney(accountId, body.amountCents, expectedVersion)), response);
  }

  @Post(':id/withdrawals')
  @HttpCode(200)
  async withdraw(
    @Param('id', new EntityIdPipe('accountId')) accountId: string,
    @Body() body: MoneyAmountDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<AccountWriteResult> {
    const expectedVersion = expectedVersionOf(ifMatch, body.expectedVersion);
    return this.written(await this.commands.execute(new WithdrawMoney(accountId, body.amountCents, expectedVersion)), response);
  }

  /** Closes an account whose balance is zero (422 otherwise). No body; If-Match optional. */
  @Post(':id/close')
  @HttpCode(200)
  async close(
    @Param('id', new EntityIdPipe('accountId')) accountId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<AccountWriteResult> {
    return this.written(await this.commands.execute(new CloseAccount(accountId, expectedVersionOf(ifMatch))), response);
  }

  @Get(':id')
  async get(@Param('id', new EntityIdPipe('accountId')) accountId: string, @Res({ passthrough: true }) response: ServerResponse) {
    const view = await this.queries.execute(new GetAccount(accountId));
    response.setHeader('ETag', etagOf(view.version));
    return view;
  }

  @Get(':id/history')
  history(@Param('id', new EntityIdPipe('accountId')) accountId: string) {
    return this.queries.execute(new GetAccountHistory(accountId));
  }

  private written(account: AccountWriteResult, response: ServerResponse): AccountWriteResult {
    response.setHeader('ETag', etagOf(account.version));
    return account;
  }
}
