import type { CorrelatedCommand } from '../../../../lib/index.js';

/** As README's saga example shows it. */
export class OpenAccount implements CorrelatedCommand {
  readonly commandId = 'command-id';
  constructor(readonly accountId: string, readonly owner: string, readonly correlationId?: string) {}
}
