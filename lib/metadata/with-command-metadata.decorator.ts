import { EventMetadataContext } from './event-metadata-context.js';
import type { CorrelatedCommand } from './interfaces/correlated-command.interface.js';

type Method = (this: unknown, command: CorrelatedCommand, ...rest: unknown[]) => unknown;

/**
 * Runs a command handler's method in the command's metadata scope
 * ({@link EventMetadataContext.forCommand}), so that the events it appends carry the command's
 * correlation and causation ids. It wraps your own method only; nothing of @nestjs/cqrs is patched.
 *
 * ```ts
 * @CommandHandler(OpenAccount)
 * export class OpenAccountHandler implements ICommandHandler<OpenAccount> {
 *   @WithCommandMetadata()
 *   async execute(command: OpenAccount) {
 *     await this.events.append(`account-${command.accountId}`, [new AccountOpened(command.accountId)], { expectedVersion: NO_STREAM });
 *   }
 * }
 * ```
 *
 * Works as a legacy (`experimentalDecorators`) and as a standard method decorator.
 */
export function WithCommandMetadata() {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (target: any, keyOrContext: unknown, descriptor?: PropertyDescriptor): any => {
    const wrap = (method: Method): Method =>
      function (this: unknown, command: CorrelatedCommand, ...rest: unknown[]) {
        return EventMetadataContext.run(EventMetadataContext.forCommand(command), () => method.call(this, command, ...rest));
      };
    if (descriptor !== undefined) {
      // Legacy decorator: (prototype, key, descriptor).
      if (typeof descriptor.value !== 'function') throw new TypeError('@WithCommandMetadata() decorates methods, such as execute(command).');
      descriptor.value = wrap(descriptor.value as Method);
      return descriptor;
    }
    if (typeof target !== 'function' || (keyOrContext as { kind?: unknown })?.kind !== 'method') {
      throw new TypeError('@WithCommandMetadata() decorates methods, such as execute(command).');
    }
    return wrap(target as Method); // standard decorator: (method, context) => replacement
  };
}
