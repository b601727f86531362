import { Command } from '@nestjs/cqrs';
import type { ErasureReport, StreamDeletionMode } from '../../../lib/index.js';

/** Deletes a closed account's stream, soft (hidden, kept until purged) or hard (erased for ever). */
export class DeleteAccount extends Command<ErasureReport> {
  constructor(
    readonly accountId: string,
    readonly mode: StreamDeletionMode,
    /** The account's version the deletion was decided on; 0 (hard only) for an account soft-deleted already. */
    readonly expectedVersion: number,
  ) {
    super();
  }
}
