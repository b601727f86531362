import { Body, Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { ServerResponse } from 'node:http';
import { EntityIdPipe } from '../http/entity-id.pipe.js';
import { GetTransfer } from '../read-model/queries/get-transfer.query.js';
import { newEntityId } from '../shared/entity-id.js';
import { RequestTransfer } from './commands/request-transfer.command.js';
import { RequestTransferDto } from './dto/request-transfer.dto.js';

/**
 * `POST /transfers` answers 202 as soon as the request is recorded (404 if the source account does
 * not exist); the saga then moves the money. Follow it at `GET /transfers/:id` (read model, a
 * moment behind): `pending`, then `completed`, or `failed` with a reason and whether the money was
 * refunded (`compensated`).
 */
@Controller('transfers')
export class TransfersController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(202)
  async request(@Body() body: RequestTransferDto, @Res({ passthrough: true }) response: ServerResponse) {
    const accepted = await this.commands.execute(new RequestTransfer(newEntityId('trf'), body.fromAccountId, body.toAccountId, body.amountCents));
    response.setHeader('Location', `/transfers/${accepted.transferId}`);
    return accepted;
  }

  @Get(':id')
  get(@Param('id', new EntityIdPipe('transferId')) transferId: string) {
    return this.queries.execute(new GetTransfer(transferId));
  }
}
