import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import type { RequestTap } from './fault-injection.js';

type Input = Record<string, unknown>;
type Match = (command: string, input: Input) => boolean;

/** Adds a middleware ahead of the SDK's retries that sees each request's command and input. */
function intercept(client: DynamoDBClient, handle: (command: string, input: Input) => Promise<void> | undefined): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const held = handle(context.commandName ?? 'unknown', args.input as Input);
      if (held !== undefined) await held;
      return next(args);
    },
    { step: 'initialize', name: `projectionFault-${randomUUID()}` },
  );
}

const timeout = (): Error => Object.assign(new Error('injected: request timed out'), { name: 'TimeoutError', $metadata: {} });

/**
 * Requests matching `match` hang, as on a dead connection, until `end()`: then they fail with a
 * TimeoutError, never having reached DynamoDB. `stalled` counts them.
 */
export function stallRequests(client: DynamoDBClient, match: Match): { readonly stalled: number; end(): void } {
  let ended = false;
  let end!: () => void;
  const over = new Promise<void>((resolve) => (end = resolve));
  const state = {
    stalled: 0,
    end() {
      ended = true;
      end();
    },
  };
  intercept(client, (command, input) => {
    if (ended || !match(command, input)) return undefined;
    state.stalled++;
    return over.then(() => Promise.reject(timeout()));
  });
  return state;
}

/**
 * The next request matching `match` fails at once for its sender with a TimeoutError, as if it had
 * timed out on the way; its input is kept (resolved), so that a test can deliver it to DynamoDB
 * late, as a request stuck in the network would land.
 */
export function delayNextRequest(client: DynamoDBClient, match: Match): Promise<Input> {
  let keep!: (input: Input) => void;
  const kept = new Promise<Input>((resolve) => (keep = resolve));
  let done = false;
  intercept(client, (command, input) => {
    if (done || !match(command, input)) return undefined;
    done = true;
    keep(structuredClone(input));
    return Promise.reject(timeout());
  });
  return kept;
}

/** A network partition: from now on, every request of the instance fails before reaching DynamoDB. */
export function cutOff(tap: RequestTap): void {
  for (const command of ['GetItemCommand', 'UpdateItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'PutItemCommand', 'TransactWriteItemsCommand']) {
    tap.failNext(command, Infinity, 'NetworkingError');
  }
}
