import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { OpenAccount } from './open-account.command.js';
import { SendWelcome } from './send-welcome.command.js';

/** README's saga example's command handlers. */
@CommandHandler(OpenAccount)
export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
  async execute(command: OpenAccount): Promise<void> {
    void command;
  }
}

@CommandHandler(SendWelcome)
export class SendWelcomeHandler implements ICommandHandler<SendWelcome> {
  async execute(command: SendWelcome): Promise<void> {
    void command;
  }
}
