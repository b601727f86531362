import type { DynamoDBClient, UpdateItemCommandInput, AttributeValue } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import type { RecordFile } from './records.js';

/** Attribute names of a partition item (lib/tables/projections-table.ts), as stored. */
const KEY = 'projection';
const OWNER = 'leaseOwner';
const EPOCH = 'leaseEpoch';
const CHECKPOINT = 'checkpoint';

/** A partition lease this process took and has not given up: handler calls are recorded with it. */
export interface HeldLease {
  readonly owner: string;
  readonly epoch: number;
}

/**
 * The partition of a stream, computed here rather than with the library's function (the design:
 * the first four bytes of the MD5 of the stream id, big-endian, modulo the count), so that a
 * library routing a stream to the wrong partition shows up in the checks.
 */
export function partitionOfStream(streamId: string, count: number): number {
  return count === 1 ? 0 : createHash('md5').update(streamId, 'utf8').digest().readUInt32BE(0) % count;
}

/** The `:value` an expression sets or compares `attribute` to (found through the request's name placeholders). */
function valueOf(expression: string | undefined, input: UpdateItemCommandInput, attribute: string): AttributeValue | undefined {
  if (expression === undefined) return undefined;
  for (const [placeholder, name] of Object.entries(input.ExpressionAttributeNames ?? {})) {
    if (name !== attribute) continue;
    const match = new RegExp(`${placeholder}\\s*=\\s*(:\\w+)`).exec(expression);
    if (match !== null) return input.ExpressionAttributeValues?.[match[1]!];
  }
  // Attributes named without placeholders
  const match = new RegExp(`\\b${attribute}\\s*=\\s*(:\\w+)`).exec(expression);
  return match === null ? undefined : input.ExpressionAttributeValues?.[match[1]!];
}

const removes = (input: UpdateItemCommandInput, attribute: string): boolean => {
  const removed = /REMOVE\s+([^]*?)(?:\s+(?:SET|ADD|DELETE)\s|$)/.exec(input.UpdateExpression ?? '')?.[1] ?? '';
  return Object.entries(input.ExpressionAttributeNames ?? {}).some(([placeholder, name]) => name === attribute && removed.includes(placeholder));
};

/**
 * Watches this process's requests to a projection's partition items (`<projection>#<i>`) and
 * records, once each is answered: lease acquisitions (owner, epoch and stored checkpoint, from the
 * item the UpdateItem returns), checkpoint saves (the owner and epoch they are fenced on, accepted
 * or refused) and releases. `held` is kept to the leases taken and not released, for the handler.
 * Added at the 'initialize' step: one record per request as the library sees it (after the SDK's retries).
 */
export function observePartitionLeases(client: DynamoDBClient, table: string, projection: string, records: RecordFile, held: Map<number, HeldLease>, now: () => number): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as UpdateItemCommandInput;
      const key = input.Key?.[KEY]?.S;
      if (context.commandName !== 'UpdateItemCommand' || input.TableName !== table || key === undefined || !key.startsWith(`${projection}#`)) return next(args);
      const p = Number(key.slice(projection.length + 1));
      const newOwner = valueOf(input.UpdateExpression, input, OWNER)?.S;
      const fencedOwner = valueOf(input.ConditionExpression, input, OWNER)?.S;
      const fencedEpoch = Number(valueOf(input.ConditionExpression, input, EPOCH)?.N);
      const savedCheckpoint = valueOf(input.UpdateExpression, input, CHECKPOINT)?.S;
      const releasing = removes(input, OWNER);
      let error: unknown;
      let output: { Attributes?: Record<string, AttributeValue> } | undefined;
      try {
        const result = await next(args);
        output = result.output as typeof output;
        return result;
      } catch (caught) {
        error = caught;
        throw caught;
      } finally {
        const t = now();
        const ok = error === undefined;
        if (newOwner !== undefined && !releasing) {
          // An acquisition: the item it returns (ALL_NEW) says the epoch it got and the checkpoint it starts from.
          const attributes = output?.Attributes;
          if (ok && attributes?.[OWNER]?.S === newOwner && attributes[EPOCH]?.N !== undefined) {
            const epoch = Number(attributes[EPOCH].N);
            held.set(p, { owner: newOwner, epoch });
            records.write({ k: 'a', p, o: newOwner, e: epoch, c: attributes[CHECKPOINT]?.S ?? '0', t });
          } else if (ok) {
            records.write({ k: 's', p, o: newOwner, e: -1, c: 'acquire answered without the item', ok: false, err: 'NoAttributes', t });
          }
        } else if (fencedOwner !== undefined && savedCheckpoint !== undefined) {
          records.write({ k: 's', p, o: fencedOwner, e: fencedEpoch, c: savedCheckpoint, ok, ...(ok ? {} : { err: (error as Error)?.name ?? String(error) }), t });
        } else if (fencedOwner !== undefined && releasing) {
          records.write({ k: 'r', p, o: fencedOwner, e: fencedEpoch, ok, t });
          const current = held.get(p);
          if (current?.owner === fencedOwner && current.epoch === fencedEpoch) held.delete(p);
        }
      }
    },
    { step: 'initialize', name: 'partitionLeaseObserver' },
  );
}
