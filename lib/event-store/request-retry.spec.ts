import { describe, expect, it } from '@jest/globals';
import { RetriesExhaustedError } from '../errors/retries-exhausted.error.js';
import { WriteOutcomeUnknownError } from '../errors/write-outcome-unknown.error.js';
import { withRetries, type RetriedRequest } from './request-retry.js';

const fault = (name: string, extra: object = {}) => Object.assign(new Error(name), { name, ...extra });
const retry = { maxAttempts: 3, baseDelayMs: 0, maxDelayMs: 0 };
const request = (kind: RetriedRequest['kind']): RetriedRequest => ({ operation: 'Saving the checkpoint of projection "p"', retry, kind, advice: 'Saving again is safe.' });

/** Sends that fail with `faults` in turn, then succeed; counts the sends. */
function sends(...faults: Error[]) {
  const state = { count: 0, send: async () => { const failure = faults[state.count++]; if (failure) throw failure; return 'ok'; } };
  return state;
}

describe('withRetries', () => {
  it('retries throttling, 5xx answers and lost connections within the budget', async () => {
    const flaky = sends(fault('ThrottlingException'), fault('InternalServerError', { $fault: 'server' }));
    await expect(withRetries(request('idempotent-write'), flaky.send)).resolves.toBe('ok');
    expect(flaky.count).toBe(3);
  });

  it('an idempotent write that never got an answer has an unknown outcome, said with the advice', async () => {
    const lost = sends(fault('TimeoutError', { code: 'ECONNRESET' }), fault('ThrottlingException'), fault('ThrottlingException'));
    const failure = withRetries(request('idempotent-write'), lost.send);
    await expect(failure).rejects.toBeInstanceOf(WriteOutcomeUnknownError);
    await expect(failure).rejects.toThrow(/the outcome is unknown; DynamoDB last answered ThrottlingException after 3 attempts\. Saving again is safe\./);
  });

  it('a write that was only ever throttled, and any read, ran out of retries: nothing unknown about it', async () => {
    const throttled = sends(fault('ThrottlingException'), fault('ThrottlingException'), fault('ThrottlingException'));
    await expect(withRetries(request('idempotent-write'), throttled.send)).rejects.toBeInstanceOf(RetriesExhaustedError);
    const lostReads = sends(fault('TimeoutError'), fault('TimeoutError'), fault('TimeoutError'));
    await expect(withRetries(request('read'), lostReads.send)).rejects.toBeInstanceOf(RetriesExhaustedError);
  });

  it('throws anything else at once, as it is', async () => {
    const invalid = sends(fault('ValidationException', { $fault: 'client', $metadata: { httpStatusCode: 400 } }));
    await expect(withRetries(request('read'), invalid.send)).rejects.toMatchObject({ name: 'ValidationException' });
    expect(invalid.count).toBe(1);
  });
});
