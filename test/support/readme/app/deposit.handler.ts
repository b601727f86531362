import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';

export class DepositCommand {
  constructor(readonly accountId: string, readonly amount: number) {}
}

/** README's DepositHandler (loads an Account, deposits, saves). */
@CommandHandler(DepositCommand)
export class DepositHandler implements ICommandHandler<DepositCommand> {
  async execute(command: DepositCommand): Promise<void> {
    void command;
  }
}
