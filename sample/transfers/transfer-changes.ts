import type { AggregateRepository } from '../../lib/index.js';
import { NotFoundError } from '../shared/not-found.error.js';
import { retryOnConflict } from '../shared/retry-on-conflict.js';
import type { Transfer } from './transfer.aggregate.js';

/**
 * Load, decide, save a transfer. `change` returns false when the transfer has moved past the step
 * it would take (then nothing is saved). A lost race is retried on a fresh load.
 */
export function changeTransfer(transfers: AggregateRepository<Transfer>, transferId: string, change: (transfer: Transfer) => boolean): Promise<boolean> {
  return retryOnConflict(async () => {
    const transfer = await loadTransfer(transfers, transferId);
    if (!change(transfer)) return false;
    await transfers.save(transfer);
    return true;
  });
}

/** @throws NotFoundError for a transfer with no events. */
export async function loadTransfer(transfers: AggregateRepository<Transfer>, transferId: string): Promise<Transfer> {
  const transfer = await transfers.load(transferId);
  if (transfer === null) throw new NotFoundError('transfer', transferId);
  return transfer;
}
