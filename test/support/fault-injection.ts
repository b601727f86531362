import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Input = Record<string, unknown>;

/**
 * Counts and tampers with the requests a real client sends, before the SDK's own retries see them.
 * Used to inject faults (throttling, conflicts, a forgotten idempotency token) that DynamoDB Local
 * cannot be made to produce on demand; every request that is let through still goes to DynamoDB.
 */
export class RequestTap {
  readonly sent: string[] = [];
  private faults: Array<(command: string, input: Input) => Error | undefined> = [];

  constructor(client: DynamoDBClient) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        this.sent.push(command);
        for (const fault of this.faults) {
          const error = fault(command, args.input as Input);
          if (error !== undefined) throw error;
        }
        return next(args);
      },
      { step: 'initialize', name: 'requestTap' },
    );
  }

  count(command: string): number {
    return this.sent.filter((c) => c === command).length;
  }

  /** Fails the next `times` requests of `command` with an error named `name` (plus extra fields). */
  failNext(command: string, times: number, name: string, extra: object = {}): void {
    let left = times;
    this.faults.push((sent) => {
      if (sent !== command || left <= 0) return undefined;
      left--;
      return Object.assign(new Error(`injected ${name}`), { name, $fault: 'client', ...extra });
    });
  }

  /** Changes matching requests before they are sent. */
  rewrite(command: string, change: (input: Input) => void): void {
    this.faults.push((sent, input) => {
      if (sent === command) change(input);
      return undefined;
    });
  }

  reset(): void {
    this.sent.length = 0;
    this.faults = [];
  }
}
