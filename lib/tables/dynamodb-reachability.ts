import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Node's codes for a DynamoDB that cannot be reached at all (as opposed to one that answered with an error). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ECONNABORTED']);

/**
 * Why a request never got an answer, in a few words (`connect ECONNREFUSED 127.0.0.1:8000`), or
 * undefined when DynamoDB did answer. Looks through the SDK's wrapping, `cause` chains and Node's
 * AggregateError (a host name with several addresses, each refused).
 */
export function connectionFailure(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 5; depth++) {
    const { code, message, name, errors, cause, $metadata } = current as {
      code?: unknown;
      message?: string;
      name?: string;
      errors?: unknown[];
      cause?: unknown;
      $metadata?: { httpStatusCode?: number };
    };
    // An HTTP status means DynamoDB (or something in front of it) answered: not a connection problem.
    if ($metadata?.httpStatusCode !== undefined) return undefined;
    if (typeof code === 'string' && CONNECTION_CODES.has(code)) return message?.includes(code) ? message : code;
    if (name === 'TimeoutError') return `no answer in time (${message})`;
    // An error from another realm (a test sandbox) reaches the SDK as no Error, and comes back as text only.
    const wrapped = /^AWS SDK error wrapper for (?:Error: )?(.*)$/.exec(message ?? '')?.[1];
    if (wrapped !== undefined && wrapped.split(/\W+/).some((word) => CONNECTION_CODES.has(word))) return wrapped;
    current = Array.isArray(errors) && errors.length > 0 ? errors[0] : cause;
  }
  return undefined;
}

/**
 * Where the client sends its requests, for messages: its configured endpoint (`http://localhost:8000`),
 * or the AWS endpoint of its region.
 */
export async function describeEndpoint(client: DynamoDBClient): Promise<string> {
  const config = client.config as unknown as { endpoint?: () => Promise<EndpointParts>; region?: () => Promise<string> };
  try {
    const endpoint = await config.endpoint?.();
    if (endpoint !== undefined) {
      const port = endpoint.port === undefined ? '' : `:${endpoint.port}`;
      const path = endpoint.path === undefined || endpoint.path === '/' ? '' : endpoint.path;
      return `${endpoint.protocol}//${endpoint.hostname}${port}${path}`;
    }
    return `the AWS endpoint of region ${await config.region?.()}`;
  } catch {
    return 'the configured endpoint'; // no region configured, say: the failure's own message says the rest
  }
}

interface EndpointParts {
  protocol: string;
  hostname: string;
  port?: number;
  path?: string;
}
