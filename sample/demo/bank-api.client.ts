import { setTimeout as delay } from 'node:timers/promises';

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** The API answered something the demo did not expect: the demo stops, saying what it got. */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
}

/**
 * A small HTTP client for the bank API, over `fetch`: what any client in any language would do.
 * `expect` checks the status, so that the demo (and the test running it) fails loudly when the API
 * answers something else.
 */
export class BankApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = unknown>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  /** The request's response, if its status is `status`. */
  async expect<T = unknown>(status: number, method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse<T>> {
    const response = await this.request<T>(method, path, options);
    if (response.status !== status) {
      throw new UnexpectedResponseError(`${method} ${path} answered ${response.status}, not ${status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }

  /**
   * Reads `path` until `done(body)` holds for a 200 response (404s included: the read model may
   * not know a new account yet), and resolves to that body and how long it took. The read model is
   * eventually consistent: this is how a client reads its own writes. Fails after `timeoutMs`.
   */
  async poll<T = unknown>(path: string, done: (body: T) => boolean, timeoutMs = 10_000): Promise<{ body: T; waitedMs: number }> {
    const started = Date.now();
    let last: ApiResponse<T> | undefined;
    while (Date.now() - started < timeoutMs) {
      last = await this.request<T>('GET', path);
      if (last.status === 200 && done(last.body)) return { body: last.body, waitedMs: Date.now() - started };
      if (last.status !== 200 && last.status !== 404) break;
      await delay(25); // a short pause between reads, not a guess at how long the read model takes
    }
    throw new UnexpectedResponseError(`GET ${path} did not reach the expected state within ${timeoutMs} ms; last answer ${last?.status}: ${JSON.stringify(last?.body)}`);
  }

  /**
   * Reads `path` until it answers one of `statuses` (a deleted account's 404 or 410, once the read
   * model has seen the deletion), and resolves to that response. Fails after `timeoutMs`.
   */
  async pollStatus<T = unknown>(path: string, statuses: readonly number[], timeoutMs = 10_000): Promise<ApiResponse<T>> {
    const started = Date.now();
    let last: ApiResponse<T> | undefined;
    while (Date.now() - started < timeoutMs) {
      last = await this.request<T>('GET', path);
      if (statuses.includes(last.status)) return last;
      await delay(25);
    }
    throw new UnexpectedResponseError(`GET ${path} did not answer ${statuses.join(' or ')} within ${timeoutMs} ms; last answer ${last?.status}: ${JSON.stringify(last?.body)}`);
  }

  /** POSTs and reads a response of JSON lines (`application/x-ndjson`) as they arrive. */
  async *streamLines(path: string): AsyncGenerator<Record<string, unknown>> {
    const response = await fetch(`${this.baseUrl}${path}`, { method: 'POST', headers: { Accept: 'application/x-ndjson' } });
    if (response.status !== 200 || response.body === null) {
      throw new UnexpectedResponseError(`POST ${path} answered ${response.status}: ${await response.text()}`);
    }
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.trim() !== '') yield JSON.parse(line) as Record<string, unknown>;
      }
    }
  }
}
