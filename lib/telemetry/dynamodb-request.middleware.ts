import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FinalizeRequestMiddleware, HandlerExecutionContext, InitializeMiddleware, MiddlewareStack } from '@smithy/types';
import { activeOperation } from './active-operation.js';

/** The commands that take `ReturnConsumedCapacity`. */
const CAPACITY_COMMANDS = new Set([
  'GetItemCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
  'QueryCommand',
  'ScanCommand',
  'BatchGetItemCommand',
  'BatchWriteItemCommand',
  'TransactGetItemsCommand',
  'TransactWriteItemsCommand',
]);
const THROTTLE_ERRORS = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
const THROTTLE_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

const CAPACITY_MIDDLEWARE = 'nestjs-dynamo-es:consumedCapacity';
const THROTTLE_MIDDLEWARE = 'nestjs-dynamo-es:throttles';

type Input = {
  TableName?: string;
  ReturnConsumedCapacity?: string;
  RequestItems?: Record<string, unknown>;
  TransactItems?: Array<Record<string, { TableName?: string } | undefined>>;
};

/** Whether a DynamoDB error (or a transaction's cancellation) is throttling. */
export function isThrottle(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  if (name !== undefined && THROTTLE_ERRORS.has(name)) return true;
  if (name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code !== undefined && THROTTLE_REASONS.has(reason.Code));
}

function tablesOf(input: Input): string[] {
  if (input.TableName !== undefined) return [input.TableName];
  if (input.RequestItems !== undefined) return Object.keys(input.RequestItems);
  const tables = new Set<string>();
  for (const item of input.TransactItems ?? []) {
    for (const request of Object.values(item)) if (request?.TableName !== undefined) tables.add(request.TableName);
  }
  return [...tables];
}

/**
 * Asks DynamoDB for the consumed capacity of a request made inside a recording span of the module,
 * and gives the answer (and the tables named) to that span. Outside the module's operations, and
 * when no span records, the request goes through untouched.
 */
const capacityMiddleware: InitializeMiddleware<object, object> = (next, context: HandlerExecutionContext) => async (args) => {
  const operation = activeOperation();
  if (operation === undefined || !operation.recording || !CAPACITY_COMMANDS.has(context.commandName ?? '')) return next(args);
  const input = args.input as Input;
  // The caller's own ReturnConsumedCapacity (none of the module's requests sets one) is left as it is.
  const asked = input.ReturnConsumedCapacity === undefined ? { ...args, input: { ...input, ReturnConsumedCapacity: 'TOTAL' } } : args;
  const result = await next(asked);
  const capacity = (result.output as { ConsumedCapacity?: object | object[] }).ConsumedCapacity;
  operation.consumed(capacity === undefined ? [] : Array.isArray(capacity) ? capacity : [capacity], tablesOf(input));
  return result;
};

/** Counts each throttled attempt, inside the SDK's retry loop (so its own retries are counted too). */
const throttleMiddleware: FinalizeRequestMiddleware<object, object> = (next) => async (args) => {
  try {
    return await next(args);
  } catch (error) {
    if (isThrottle(error)) activeOperation()?.throttled((error as Error).name);
    throw error;
  }
};

/**
 * Adds the module's two middlewares to a client, once (a client shared by several modules, or
 * given by the app, gets them once). They act only on requests made inside the module's traced
 * operations, which they find in OpenTelemetry's active context.
 */
export function instrumentDynamoDbClient(client: DynamoDBClient): void {
  const stack = client.middlewareStack as unknown as MiddlewareStack<object, object>;
  if (stack.identify().some((entry) => entry.startsWith(CAPACITY_MIDDLEWARE))) return;
  stack.add(capacityMiddleware, { step: 'initialize', name: CAPACITY_MIDDLEWARE });
  stack.add(throttleMiddleware, { step: 'finalizeRequest', priority: 'low', name: THROTTLE_MIDDLEWARE });
}
