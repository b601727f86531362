import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

type Input = Record<string, unknown>;

/**
 * Counts and tampers with the requests a real client sends, before the SDK's own retries see them.
 * Used to inject faults (throttling, conflicts, a forgotten idempotency token) that DynamoDB Local
 * cannot be made to produce on demand; every request that is let through still goes to DynamoDB.
 */
export class RequestTap {
  readonly sent: string[] = [];
  /** One entry per attempt that got a response (the SDK's own retries included). */
  readonly answered: string[] = [];
  private faults: Array<(command: string, input: Input) => Error | undefined> = [];
  private responseHooks: Array<(command: string, output: Input) => void> = [];
  private lostResponses: Array<(command: string) => Error | undefined> = [];
  private lostErrorAnswers: Array<(command: string) => Error | undefined> = [];
  private attemptFaults: Array<(command: string) => Error | undefined> = [];

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
    // Inside the SDK's retry loop, on the raw response: each attempt, and faults that make a response look lost.
    client.middlewareStack.addRelativeTo(
      ((next: (args: object) => Promise<{ output: unknown }>, context: { commandName?: string }) => async (args: object) => {
        const command = context.commandName ?? 'unknown';
        let result: { output: unknown };
        try {
          result = await next(args);
        } catch (failure) {
          // An error answer (a failed condition, say) is an answer too: it can be lost like any other.
          this.answered.push(command);
          for (const hook of this.lostErrorAnswers) {
            const error = hook(command);
            if (error !== undefined) throw error;
          }
          throw failure;
        }
        this.answered.push(command);
        for (const hook of [...this.lostResponses, ...this.lostErrorAnswers]) {
          const error = hook(command);
          if (error !== undefined) throw error;
        }
        return result;
      }) as never,
      { relation: 'after', toMiddleware: 'deserializerMiddleware', name: 'attemptTap' },
    );
    // Inside the SDK's retry loop, before sending: faults the SDK itself retries.
    client.middlewareStack.addRelativeTo(
      ((next: (args: object) => Promise<{ output: unknown }>, context: { commandName?: string }) => async (args: object) => {
        for (const fault of this.attemptFaults) {
          const error = fault(context.commandName ?? 'unknown');
          if (error !== undefined) throw error;
        }
        return next(args);
      }) as never,
      { relation: 'after', toMiddleware: 'retryMiddleware', name: 'attemptFaultTap' },
    );
    // On the parsed response: changes what the caller sees.
    client.middlewareStack.addRelativeTo(
      ((next: (args: object) => Promise<{ output: unknown }>, context: { commandName?: string }) => async (args: object) => {
        const result = await next(args);
        for (const hook of this.responseHooks) hook(context.commandName ?? 'unknown', result.output as Input);
        return result;
      }) as never,
      { relation: 'before', toMiddleware: 'deserializerMiddleware', name: 'responseTap' },
    );
  }

  /**
   * Inside the SDK's retry loop, before the request is sent: fails the next `times` attempts of
   * `command` with a ThrottlingException, which the SDK retries itself (with its own backoff) before
   * the caller sees anything. `onAttempt` runs first on each of them.
   */
  throttleAttempts(command: string, times: number, onAttempt: () => void = () => undefined): void {
    let left = times;
    this.attemptFaults.push((sent) => {
      if (sent !== command || left <= 0) return undefined;
      left--;
      onAttempt();
      return Object.assign(new Error('injected throttle inside the retry loop'), {
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    });
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

  /**
   * Lets the next `command` reach DynamoDB, then loses its response as a dropped connection would:
   * the SDK retries the very same request, whose first attempt has already been applied.
   */
  loseNextResponse(command: string): void {
    let lost = false;
    this.lostResponses.push((sent) => {
      if (sent !== command || lost) return undefined;
      lost = true;
      return Object.assign(new Error('injected: connection reset after the request was applied'), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
        $metadata: {},
      });
    });
  }

  /**
   * Lets the next `times` attempts of `command` reach DynamoDB (the SDK's own retries included), then
   * loses each answer, success or error alike, as a dropped connection would: the caller never hears
   * whether its request was applied.
   */
  loseAnswers(command: string, times: number): void {
    let left = times;
    this.lostErrorAnswers.push((sent) => {
      if (sent !== command || left <= 0) return undefined;
      left--;
      return Object.assign(new Error('injected: connection reset after the request reached DynamoDB'), { name: 'TimeoutError', code: 'ECONNRESET', $metadata: {} });
    });
  }

  /**
   * Inside the SDK's retry loop, before sending: fails the next `times` attempts of `command` with a
   * 500 InternalServerError, as DynamoDB may answer under trouble (the request is not applied here,
   * but a caller cannot tell that from the answer).
   */
  failAttemptsWithServerError(command: string, times: number): void {
    let left = times;
    this.attemptFaults.push((sent) => {
      if (sent !== command || left <= 0) return undefined;
      left--;
      return Object.assign(new Error('injected: internal server error'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    });
  }

  /** Changes the parsed responses of `command` (e.g. hides items of a Query page). */
  alterResponses(command: string, change: (output: Input) => void): void {
    this.responseHooks.push((sent, output) => {
      if (sent === command) change(output);
    });
  }

  reset(): void {
    this.sent.length = 0;
    this.answered.length = 0;
    this.faults = [];
    this.responseHooks = [];
    this.lostResponses = [];
    this.lostErrorAnswers = [];
    this.attemptFaults = [];
  }
}
