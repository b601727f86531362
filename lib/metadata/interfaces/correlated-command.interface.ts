/**
 * Optional fields a @nestjs/cqrs command can carry so that the events its handler appends are
 * correlated with it (see `@WithCommandMetadata()` and {@link EventMetadataContext.forCommand}).
 *
 * ```ts
 * export class OpenAccount implements CorrelatedCommand {
 *   readonly commandId = randomUUID();
 *   constructor(readonly accountId: string, readonly correlationId?: string, readonly causationId?: string) {}
 * }
 * ```
 */
export interface CorrelatedCommand {
  /** The command's own id: the causation id of the events it produces (and their correlation id if it has none). */
  readonly commandId?: string;
  /** The conversation this command belongs to; propagated to the events it produces. */
  readonly correlationId?: string;
  /** What caused this command (e.g. the id of the event a saga reacted to); used when the command has no id. */
  readonly causationId?: string;
}
