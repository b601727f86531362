import { describe, expect, it } from '@jest/globals';
import { classifyWriteError } from './dynamo-errors.js';

const named = (name: string, extra: object = {}) => Object.assign(new Error(name), { name }, extra);

describe('classifyWriteError', () => {
  it('treats a failed condition as a conflict and keeps the existing item', () => {
    const Item = { commitId: { S: 'c' } };
    expect(classifyWriteError(named('ConditionalCheckFailedException', { Item }))).toEqual({ kind: 'conflict', existing: Item });
    const cancelled = named('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'ConditionalCheckFailed', Item }, { Code: 'None' }],
    });
    expect(classifyWriteError(cancelled)).toEqual({ kind: 'conflict', existing: Item });
  });

  it('retries throttling and transaction conflicts', () => {
    expect(classifyWriteError(named('ProvisionedThroughputExceededException')).kind).toBe('transient');
    expect(classifyWriteError(named('TransactionConflictException')).kind).toBe('transient');
    const cancelled = named('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
    });
    expect(classifyWriteError(cancelled)).toEqual({ kind: 'transient', name: 'TransactionCanceledException(TransactionConflict)' });
  });

  it('does not retry validation errors, even next to a conflict', () => {
    const cancelled = named('TransactionCanceledException', {
      CancellationReasons: [{ Code: 'ValidationError' }, { Code: 'TransactionConflict' }],
    });
    expect(classifyWriteError(cancelled).kind).toBe('other');
    expect(classifyWriteError(named('ValidationException')).kind).toBe('other');
  });

  it('recognizes a reused client request token', () => {
    expect(classifyWriteError(named('IdempotentParameterMismatchException')).kind).toBe('token-reused');
  });

  it('tells a request that may have been applied (no answer came) from one that certainly was not', () => {
    expect(classifyWriteError(named('TimeoutError', { code: 'ECONNRESET' }))).toEqual({ kind: 'unknown', name: 'TimeoutError (ECONNRESET)' });
    expect(classifyWriteError(named('InternalServerError', { $fault: 'server' })).kind).toBe('unknown');
    expect(classifyWriteError(named('SomeNewServerFault', { $metadata: { httpStatusCode: 503 } })).kind).toBe('unknown');
    expect(classifyWriteError(named('Error', { code: 'EPIPE' })).kind).toBe('unknown');
    expect(classifyWriteError(named('Error', { code: 'ECONNREFUSED' }))).toEqual({ kind: 'transient', name: 'Error (ECONNREFUSED)' });
    expect(classifyWriteError(named('AbortError')).kind).toBe('other');
    expect(classifyWriteError(named('ValidationException', { $fault: 'client', $metadata: { httpStatusCode: 400 } })).kind).toBe('other');
  });
});
