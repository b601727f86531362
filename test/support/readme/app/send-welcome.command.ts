import type { CorrelatedCommand } from '../../../../lib/index.js';

/** As README's saga example shows it. */
export class SendWelcome implements CorrelatedCommand {
  readonly correlationId?: string;
  readonly causationId?: string;

  constructor(readonly accountId: string, causedBy: { correlationId?: string; causationId?: string }) {
    this.correlationId = causedBy.correlationId;
    this.causationId = causedBy.causationId;
  }
}
