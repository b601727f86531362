import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CommandBus } from '@nestjs/cqrs';
import { getAggregateRepositoryToken, ProjectionManager, REDACTED, SnapshotRepository, type AggregateRepository, type ErasureReport } from '../lib/index.js';
import type { AccountAuditResult } from '../sample/admin/account-audit.result.js';
import { Account } from '../sample/accounts/account.aggregate.js';
import type { AccountWriteResult } from '../sample/accounts/account-write.result.js';
import type { BankApiClient } from '../sample/demo/bank-api.client.js';
import type { ApiErrorBody } from '../sample/http/api-error.filter.js';
import { BankReadModelProjection } from '../sample/read-model/bank-read-model.projection.js';
import type { AccountHistoryView } from '../sample/read-model/views/account-history.view.js';
import type { AccountView } from '../sample/read-model/views/account.view.js';
import type { TransferView } from '../sample/read-model/views/transfer.view.js';
import type { TransferAcceptedResult } from '../sample/transfers/transfer-accepted.result.js';
import { DepositTransfer } from '../sample/transfers/commands/deposit-transfer.command.js';
import { RefundTransfer } from '../sample/transfers/commands/refund-transfer.command.js';
import { WithdrawForTransfer } from '../sample/transfers/commands/withdraw-for-transfer.command.js';
import { TransferNotificationsHandler } from '../sample/transfers/transfer-notifications.handler.js';
import { startSampleApp, type SampleApp } from './support/sample-app.js';

/**
 * The sample bank app, driven over HTTP (fetch) as a client would, against the test DynamoDB.
 * GETs read the eventually consistent read model: the tests poll until it shows the version a
 * write returned (never a fixed sleep).
 */
describe('sample bank app over HTTP', () => {
  let sample: SampleApp;
  let api: BankApiClient;

  beforeAll(async () => {
    sample = await startSampleApp();
    api = sample.api;
  });
  afterAll(() => sample?.close());

  const post = <T = unknown>(path: string, body?: unknown, headers?: Record<string, string>) => api.request<T>('POST', path, { body, headers });
  const get = <T = unknown>(path: string) => api.request<T>('GET', path);

  async function open(owner = 'Test Owner', extra: Record<string, unknown> = {}): Promise<AccountWriteResult> {
    const response = await post<AccountWriteResult>('/accounts', { owner, ...extra });
    expect(response.status).toBe(201);
    return response.body;
  }
  async function deposit(accountId: string, amountCents: number): Promise<AccountWriteResult> {
    const response = await post<AccountWriteResult>(`/accounts/${accountId}/deposits`, { amountCents });
    expect(response.status).toBe(200);
    return response.body;
  }
  /** The read model's view of an account once it has applied `version`. */
  const accountAt = async (accountId: string, version: number) =>
    (await api.poll<AccountView>(`/accounts/${accountId}`, (view) => view.version >= version, 20_000)).body;
  const historyAt = async (accountId: string, version: number) => {
    await accountAt(accountId, version);
    const response = await get<AccountHistoryView>(`/accounts/${accountId}/history`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const settled = async (transferId: string) =>
    (await api.poll<TransferView>(`/transfers/${transferId}`, (t) => t.status === 'completed' || t.status === 'failed', 20_000)).body;
  const transfer = async (fromAccountId: string, toAccountId: string, amountCents: number) => {
    const response = await post<TransferAcceptedResult>('/transfers', { fromAccountId, toAccountId, amountCents });
    expect(response.status).toBe(202);
    return response;
  };
  const expectCausalChain = (view: TransferView) => {
    view.steps.forEach((step, i) => {
      if (i > 0) expect(step.causationId).toBe(view.steps[i - 1]!.eventId);
    });
    expect(new Set(view.steps.map((step) => step.correlationId)).size).toBe(1);
    expect(view.steps[0]!.correlationId).toEqual(expect.any(String));
  };

  describe('accounts', () => {
    it('opens an account: 201 with Location and ETag; the read model shows it once caught up', async () => {
      const response = await post<AccountWriteResult>('/accounts', { owner: 'Ada Lovelace', currency: 'EUR' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({
        accountId: expect.stringMatching(/^acc-[0-9a-f]{12}$/),
        customerId: expect.stringMatching(/^cus-[0-9a-f]{12}$/),
        owner: 'Ada Lovelace',
        currency: 'EUR',
        balanceCents: 0,
        status: 'open',
        version: 1,
      });
      const { accountId } = response.body;
      expect(response.headers.get('location')).toBe(`/accounts/${accountId}`);
      expect(response.headers.get('etag')).toBe('"1"');
      expect(response.headers.get('x-powered-by')).toBeNull();

      const view = await accountAt(accountId, 1);
      expect(view).toEqual({ accountId, customerId: response.body.customerId, owner: 'Ada Lovelace', currency: 'EUR', balanceCents: 0, status: 'open', version: 1, openedAt: expect.any(String), updatedAt: view.openedAt });
      expect((await get(`/accounts/${accountId}`)).headers.get('etag')).toBe('"1"');
      expect((await get<AccountHistoryView>(`/accounts/${accountId}/history`)).body).toEqual({
        accountId,
        currency: 'EUR',
        version: 1,
        entries: [{ version: 1, at: view.openedAt, kind: 'opened', amountCents: 0, balanceAfterCents: 0 }],
      });
    });

    it('takes an id chosen by the client, defaults the currency to EUR, and answers 409 when the id is taken', async () => {
      const accountId = `grace-${Date.now().toString(36)}`;
      expect(await open('Grace Hopper', { accountId })).toMatchObject({ accountId, currency: 'EUR', version: 1 });
      const again = await post<ApiErrorBody>('/accounts', { owner: 'Someone Else', accountId });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: `Account "${accountId}" already exists. Choose another id, or leave it out to get a generated one.`,
        details: { code: 'ALREADY_EXISTS', resource: 'account', id: accountId },
      });
      expect((await accountAt(accountId, 1)).owner).toBe('Grace Hopper');
    });

    it('deposits and withdraws: each answer has the new balance, version and ETag; the statement lists them', async () => {
      const { accountId } = await open();
      const first = await post<AccountWriteResult>(`/accounts/${accountId}/deposits`, { amountCents: 10_000 });
      expect(first.body).toMatchObject({ balanceCents: 10_000, version: 2 });
      expect(first.headers.get('etag')).toBe('"2"');
      const second = await post<AccountWriteResult>(`/accounts/${accountId}/withdrawals`, { amountCents: 2_500 });
      expect(second.status).toBe(200);
      expect(second.body).toMatchObject({ balanceCents: 7_500, version: 3 });
      expect(await deposit(accountId, 1)).toMatchObject({ balanceCents: 7_501, version: 4 });

      expect((await accountAt(accountId, 4)).balanceCents).toBe(7_501);
      const history = await historyAt(accountId, 4);
      expect(history.entries.map(({ version, kind, amountCents, balanceAfterCents }) => ({ version, kind, amountCents, balanceAfterCents }))).toEqual([
        { version: 1, kind: 'opened', amountCents: 0, balanceAfterCents: 0 },
        { version: 2, kind: 'deposit', amountCents: 10_000, balanceAfterCents: 10_000 },
        { version: 3, kind: 'withdrawal', amountCents: -2_500, balanceAfterCents: 7_500 },
        { version: 4, kind: 'deposit', amountCents: 1, balanceAfterCents: 7_501 },
      ]);
    });

    it('refuses an overdraft with 422 and the facts, and writes nothing', async () => {
      const { accountId } = await open();
      await deposit(accountId, 1_000);
      const refused = await post<ApiErrorBody>(`/accounts/${accountId}/withdrawals`, { amountCents: 1_001 });
      expect(refused.status).toBe(422);
      expect(refused.body).toEqual({
        statusCode: 422,
        error: 'Unprocessable Entity',
        message: `Account "${accountId}" holds 10.00 EUR: it cannot pay 10.01 EUR (no overdraft).`,
        details: { code: 'INSUFFICIENT_FUNDS', balanceCents: 1_000, amountCents: 1_001 },
      });
      expect(await deposit(accountId, 1)).toMatchObject({ version: 3, balanceCents: 1_001 });
    });

    it('closes only an empty account, and a closed account takes no more money', async () => {
      const { accountId } = await open();
      await deposit(accountId, 500);
      const notEmpty = await post<ApiErrorBody>(`/accounts/${accountId}/close`);
      expect(notEmpty.status).toBe(422);
      expect(notEmpty.body.details).toEqual({ code: 'BALANCE_NOT_ZERO', balanceCents: 500 });
      expect((await post(`/accounts/${accountId}/withdrawals`, { amountCents: 500 })).status).toBe(200);
      const closed = await post<AccountWriteResult>(`/accounts/${accountId}/close`);
      expect(closed.status).toBe(200);
      expect(closed.body).toMatchObject({ status: 'closed', balanceCents: 0, version: 4 });

      for (const [path, body] of [[`/accounts/${accountId}/deposits`, { amountCents: 1 }], [`/accounts/${accountId}/close`, undefined]] as const) {
        const refused = await post<ApiErrorBody>(path, body);
        expect(refused.status).toBe(422);
        expect(refused.body).toMatchObject({ error: 'Unprocessable Entity', details: { code: 'ACCOUNT_CLOSED' } });
        expect(refused.body.message).toMatch(/^Account ".+" is closed: cannot (deposit to|close) it\.$/);
      }
      expect(await accountAt(accountId, 4)).toMatchObject({ status: 'closed', balanceCents: 0 });
    });

    it('answers 404 for an unknown account, on writes and reads', async () => {
      const accountId = 'acc-nobody';
      const notFound = { statusCode: 404, error: 'Not Found', message: `Account "${accountId}" does not exist.`, details: { resource: 'account', id: accountId, notProjectedYet: false } };
      for (const [method, path, body] of [
        ['POST', `/accounts/${accountId}/deposits`, { amountCents: 1 }],
        ['POST', `/accounts/${accountId}/withdrawals`, { amountCents: 1 }],
        ['POST', `/accounts/${accountId}/close`, undefined],
        ['GET', `/accounts/${accountId}`, undefined],
        ['GET', `/accounts/${accountId}/history`, undefined],
      ] as const) {
        const response = await api.request(method, path, { body });
        expect({ method, path, status: response.status, body: response.body }).toEqual({ method, path, status: 404, body: notFound });
      }
    });

    it('tells an account the read model has not caught up with (404, Retry-After) from an unknown one', async () => {
      // Deterministic: with the projection stopped, the read model cannot catch up.
      const projections = sample.app.get(ProjectionManager);
      await projections.stop(BankReadModelProjection);
      try {
        const { accountId } = await open('Not Yet Projected');
        const response = await get<ApiErrorBody>(`/accounts/${accountId}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(response.body.details).toEqual({ resource: 'account', id: accountId, notProjectedYet: true });
        expect(response.body.message).toMatch(/exists but is not in the read model yet/);
        await projections.start(BankReadModelProjection);
        expect(await accountAt(accountId, 1)).toMatchObject({ owner: 'Not Yet Projected' });
      } finally {
        await projections.start(BankReadModelProjection); // does nothing if it runs
      }
    });
  });

  describe('optimistic concurrency (If-Match / expectedVersion)', () => {
    it('refuses a stale version with 409 and the versions, and writes at the current one', async () => {
      const { accountId } = await open();
      await deposit(accountId, 1_000); // version 2
      const stale = await post<ApiErrorBody>(`/accounts/${accountId}/deposits`, { amountCents: 5 }, { 'If-Match': '"1"' });
      expect(stale.status).toBe(409);
      expect(stale.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: `"account-${accountId}" is at version 2, not 1: it changed since you read it. Nothing was written; read it again and retry.`,
        details: { code: 'CONCURRENCY', streamId: `account-${accountId}`, expectedVersion: 1, actualVersion: 2 },
      });
      expect((await post(`/accounts/${accountId}/withdrawals`, { amountCents: 5, expectedVersion: 1 })).status).toBe(409);
      expect((await post(`/accounts/${accountId}/close`, undefined, { 'If-Match': '"1"' })).status).toBe(409);

      const current = await post<AccountWriteResult>(`/accounts/${accountId}/deposits`, { amountCents: 5 }, { 'If-Match': '"2"' });
      expect(current.status).toBe(200);
      expect(current.body).toMatchObject({ version: 3, balanceCents: 1_005 });
      expect((await post<AccountWriteResult>(`/accounts/${accountId}/withdrawals`, { amountCents: 5, expectedVersion: 3 })).body).toMatchObject({ version: 4 });
      expect((await post<AccountWriteResult>(`/accounts/${accountId}/deposits`, { amountCents: 1 }, { 'If-Match': 'W/"4"' })).body).toMatchObject({ version: 5 });
      expect((await accountAt(accountId, 5)).balanceCents).toBe(1_001);
    });

    it('lets exactly one of several concurrent writes at the same version win; the others get 409', async () => {
      const { accountId } = await open();
      await deposit(accountId, 100); // version 2
      const responses = await Promise.all(
        Array.from({ length: 6 }, () => post<AccountWriteResult | ApiErrorBody>(`/accounts/${accountId}/deposits`, { amountCents: 10 }, { 'If-Match': '"2"' })),
      );
      expect(responses.map((response) => response.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
      for (const response of responses.filter((r) => r.status === 409)) expect((response.body as ApiErrorBody).details).toMatchObject({ code: 'CONCURRENCY', expectedVersion: 2 });
      expect(await deposit(accountId, 1)).toMatchObject({ version: 4, balanceCents: 111 });
    });

    it('retries the lost races of concurrent writes that pinned no version: all of them land', async () => {
      const { accountId } = await open();
      const responses = await Promise.all(Array.from({ length: 5 }, () => post<AccountWriteResult>(`/accounts/${accountId}/deposits`, { amountCents: 100 })));
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      expect(responses.map((response) => response.body.version).sort()).toEqual([2, 3, 4, 5, 6]);
      expect((await accountAt(accountId, 6)).balanceCents).toBe(500);
    });
  });

  describe('bad input', () => {
    it('answers 400 listing every problem of a body, and writes nothing', async () => {
      const { accountId } = await open();
      const cases: Array<[string, unknown, Array<[string, RegExp]>]> = [
        ['/accounts', {}, [['owner', /^is required: a non-empty string; got nothing$/]]],
        [
          '/accounts',
          { owner: ' ', currency: 'eur', accountId: 'no spaces', nickname: 'x' },
          [
            ['nickname', /^is not a field of this request \(allowed: owner, currency, accountId, customerId\)$/],
            ['owner', /^is required: a non-empty string; got " "$/],
            ['currency', /^must be an ISO 4217 code of three capital letters, such as "EUR"; got "eur"$/],
            ['accountId', /^must be 1 to 64 letters, digits, "-" or "_"; got "no spaces"$/],
          ],
        ],
        ['/accounts', { owner: 'x'.repeat(101) }, [['owner', /^must be at most 100 characters; got 101$/]]],
        [`/accounts/${accountId}/deposits`, { amount: 12.5 }, [['amount', /^is not a field/], ['amountCents', /^is required: a whole number of cents \(1250 for 12\.50\)$/]]],
        [`/accounts/${accountId}/deposits`, { amountCents: 12.5 }, [['amountCents', /^must be a whole number of cents \(1250 for 12\.50\), from 1 to 100000000000; got 12\.5$/]]],
        [`/accounts/${accountId}/deposits`, { amountCents: '100' }, [['amountCents', /; got "100"$/]]],
        [`/accounts/${accountId}/withdrawals`, { amountCents: 0 }, [['amountCents', /; got 0$/]]],
        [`/accounts/${accountId}/withdrawals`, { amountCents: -5 }, [['amountCents', /; got -5$/]]],
        [`/accounts/${accountId}/deposits`, { amountCents: 100_000_000_001 }, [['amountCents', /; got 100000000001$/]]],
        [`/accounts/${accountId}/deposits`, { amountCents: 1, expectedVersion: 0 }, [['expectedVersion', /^must be the account version you read, from 1 to/]]],
        [`/accounts/${accountId}/deposits`, [1, 2], [['body', /^must be a JSON object \(Content-Type: application\/json\) with the fields amountCents, expectedVersion; got an array$/]]],
        ['/transfers', { fromAccountId: accountId, toAccountId: accountId, amountCents: 1 }, [['toAccountId', /^must differ from fromAccountId$/]]],
        [
          '/transfers',
          { toAccountId: 'a/b', amountCents: null },
          [
            ['fromAccountId', /^is required and must be 1 to 64 letters/],
            ['toAccountId', /^must be 1 to 64 letters, digits, "-" or "_"; got "a\/b"$/],
            ['amountCents', /; got null$/],
          ],
        ],
      ];
      for (const [path, body, problems] of cases) {
        const response = await post<ApiErrorBody>(path, body);
        expect({ path, body, status: response.status }).toEqual({ path, body, status: 400 });
        expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^Invalid request: .+\.$/), details: expect.any(Array) });
        const details = response.body.details as Array<{ field: string; problem: string }>;
        expect(details.map((d) => d.field)).toEqual(problems.map(([field]) => field));
        details.forEach((detail, i) => expect(detail.problem).toMatch(problems[i]![1]));
        for (const { field, problem } of details) expect(response.body.message).toContain(`${field} ${problem}`);
      }
      expect(await deposit(accountId, 1)).toMatchObject({ version: 2, balanceCents: 1 }); // nothing was written meanwhile
    });

    it('answers 400 for a body that is not JSON, or not sent as JSON', async () => {
      const raw = await fetch(`${sample.url}/accounts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"owner": "Ada",' });
      expect(raw.status).toBe(400);
      expect(await raw.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(/^The body is not valid JSON: .+\.$/) });

      const text = await fetch(`${sample.url}/accounts`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"owner":"Ada"}' });
      expect(text.status).toBe(400);
      expect(((await text.json()) as ApiErrorBody).details).toEqual([{ field: 'body', problem: expect.stringMatching(/^must be a JSON object \(Content-Type: application\/json\).*; got nothing$/) }]);
    });

    it('answers 400 for a malformed id in the path or a malformed If-Match, and for a header that contradicts the body', async () => {
      const { accountId } = await open();
      const longId = await post<ApiErrorBody>(`/accounts/${'x'.repeat(65)}/deposits`, { amountCents: 1 });
      expect(longId.status).toBe(400);
      expect(longId.body.details).toEqual([{ field: 'accountId', problem: expect.stringMatching(/^must be 1 to 64 letters, digits, "-" or "_"; got "x{36}\.\.\.$/) }]);
      const spaced = await get<ApiErrorBody>('/accounts/a%20b');
      expect(spaced.status).toBe(400);
      expect(spaced.body.details).toEqual([{ field: 'accountId', problem: 'must be 1 to 64 letters, digits, "-" or "_"; got "a b"' }]);
      expect((await get<ApiErrorBody>('/transfers/trf.1')).body.details).toEqual([{ field: 'transferId', problem: 'must be 1 to 64 letters, digits, "-" or "_"; got "trf.1"' }]);

      const badHeader = await post<ApiErrorBody>(`/accounts/${accountId}/deposits`, { amountCents: 1 }, { 'If-Match': 'latest' });
      expect(badHeader.status).toBe(400);
      expect(badHeader.body.details).toEqual([{ field: 'If-Match', problem: 'must be an account version from an ETag, such as "3"; got "latest"' }]);
      const contradiction = await post<ApiErrorBody>(`/accounts/${accountId}/deposits`, { amountCents: 1, expectedVersion: 1 }, { 'If-Match': '"2"' });
      expect(contradiction.status).toBe(400);
      expect(contradiction.body.details).toEqual([{ field: 'If-Match', problem: "says version 2 but the body's expectedVersion says 1; send one of them" }]);
      expect(await deposit(accountId, 1)).toMatchObject({ version: 2 });
    });

    it('answers 404 with the same body shape for an unknown route', async () => {
      const response = await get<ApiErrorBody>('/accounts');
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /accounts' });
    });
  });

  describe('transfers (the saga)', () => {
    it('moves the money: 202, then completed, each step caused by the one before; the notifications handler hears of it', async () => {
      const { accountId: from } = await open('Payer');
      const { accountId: to } = await open('Payee');
      await deposit(from, 10_000);
      await deposit(to, 500);
      const accepted = await transfer(from, to, 2_500);
      const { transferId } = accepted.body;
      expect(accepted.body).toEqual({ transferId: expect.stringMatching(/^trf-[0-9a-f]{12}$/), status: 'pending', fromAccountId: from, toAccountId: to, amountCents: 2_500, currency: 'EUR' });
      expect(accepted.headers.get('location')).toBe(`/transfers/${transferId}`);

      const view = await settled(transferId);
      expect(view).toMatchObject({ transferId, status: 'completed', compensated: false, reason: null, fromAccountId: from, toAccountId: to, amountCents: 2_500, currency: 'EUR' });
      expect(view.steps.map(({ step, streamId, version }) => [step, streamId, version])).toEqual([
        ['requested', `transfer-${transferId}`, 1],
        ['withdrawn', `account-${from}`, 3],
        ['deposited', `account-${to}`, 3],
        ['completed', `transfer-${transferId}`, 2],
      ]);
      expectCausalChain(view);
      // ETags are account versions only: none on a transfer (Express's own content hashes are off).
      expect((await get(`/transfers/${transferId}`)).headers.get('etag')).toBeNull();

      expect((await accountAt(from, 3)).balanceCents).toBe(7_500);
      expect((await accountAt(to, 3)).balanceCents).toBe(3_000);
      expect((await historyAt(from, 3)).entries[2]).toMatchObject({ kind: 'transfer-out', amountCents: -2_500, balanceAfterCents: 7_500, transferId, counterpartyAccountId: to });
      expect((await historyAt(to, 3)).entries[2]).toMatchObject({ kind: 'transfer-in', amountCents: 2_500, balanceAfterCents: 3_000, transferId, counterpartyAccountId: from });

      const sent = sample.app.get(TransferNotificationsHandler).sent.filter((n) => n.transferId === transferId);
      expect(sent).toEqual([{ transferId, text: `Transfer ${transferId} completed.`, correlationId: view.steps[0]!.correlationId }]);
    });

    it('compensates a transfer to a closed account: the withdrawal is refunded, and the transfer fails', async () => {
      const { accountId: from } = await open('Payer');
      const { accountId: to } = await open('Gone');
      await deposit(from, 10_000);
      expect((await post(`/accounts/${to}/close`)).status).toBe(200);
      const { transferId } = (await transfer(from, to, 4_000)).body;

      const view = await settled(transferId);
      const reason = `deposit refused: Account "${to}" is closed: cannot transfer to it.`;
      expect(view).toMatchObject({ status: 'failed', compensated: true, reason });
      expect(view.steps.map(({ step, streamId }) => [step, streamId])).toEqual([
        ['requested', `transfer-${transferId}`],
        ['withdrawn', `account-${from}`],
        ['credit-refused', `transfer-${transferId}`],
        ['refunded', `account-${from}`],
        ['failed', `transfer-${transferId}`],
      ]);
      expectCausalChain(view);

      const history = await historyAt(from, 4);
      expect(history.entries.slice(2).map(({ kind, amountCents, balanceAfterCents, reason: why }) => ({ kind, amountCents, balanceAfterCents, reason: why }))).toEqual([
        { kind: 'transfer-out', amountCents: -4_000, balanceAfterCents: 6_000, reason: undefined },
        { kind: 'transfer-refund', amountCents: 4_000, balanceAfterCents: 10_000, reason },
      ]);
      expect(await accountAt(to, 2)).toMatchObject({ version: 2, balanceCents: 0, status: 'closed' });
      expect(sample.app.get(TransferNotificationsHandler).sent.find((n) => n.transferId === transferId)?.text).toBe(
        `Transfer ${transferId} failed (${reason}); the money was refunded.`,
      );
    });

    it('compensates a transfer to an unknown account, and one to an account in another currency', async () => {
      const { accountId: from } = await open('Payer');
      const { accountId: dollars } = await open('Yankee', { currency: 'USD' });
      await deposit(from, 1_000);
      const unknown = (await transfer(from, 'acc-nowhere', 100)).body.transferId;
      const foreign = (await transfer(from, dollars, 200)).body.transferId;

      expect(await settled(unknown)).toMatchObject({ status: 'failed', compensated: true, reason: 'deposit refused: Account "acc-nowhere" does not exist.' });
      expect(await settled(foreign)).toMatchObject({ status: 'failed', compensated: true, reason: `deposit refused: Account "${dollars}" holds USD; it cannot take EUR.` });
      expect((await accountAt(from, 6)).balanceCents).toBe(1_000); // 2 withdrawals, 2 refunds
      expect(await accountAt(dollars, 1)).toMatchObject({ balanceCents: 0, version: 1 });
    });

    it('fails a transfer the source cannot pay without moving anything (nothing to compensate)', async () => {
      const { accountId: from } = await open('Short');
      const { accountId: to } = await open('Hopeful');
      await deposit(from, 1_000);
      const { transferId } = (await transfer(from, to, 5_000)).body;
      const view = await settled(transferId);
      expect(view).toMatchObject({
        status: 'failed',
        compensated: false,
        reason: `withdrawal refused: Account "${from}" holds 10.00 EUR: it cannot pay 50.00 EUR (no overdraft).`,
      });
      expect(view.steps.map((step) => step.step)).toEqual(['requested', 'failed']);
      expectCausalChain(view);
      expect(await deposit(from, 1)).toMatchObject({ version: 3, balanceCents: 1_001 }); // nothing was withdrawn
      expect(await deposit(to, 1)).toMatchObject({ version: 2, balanceCents: 1 });
    });

    it('never lets an account close while its outgoing transfer is in flight: the refund always lands on an open account', async () => {
      const { accountId: bob } = await open('Bob');
      await deposit(bob, 500);
      const { transferId } = (await transfer(bob, 'acc-nowhere', 500)).body;
      // Close as soon as the withdrawal leg has emptied the account (or the refund has already landed).
      const accounts = sample.app.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
      for (let i = 0; i < 400 && (await accounts.load(bob))!.transfersOut[transferId] === undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const close = await post<ApiErrorBody>(`/accounts/${bob}/close`);
      expect(close.status).toBe(422);
      expect(['TRANSFER_IN_FLIGHT', 'BALANCE_NOT_ZERO']).toContain((close.body.details as { code?: string } | undefined)?.code);

      expect(await settled(transferId)).toMatchObject({ status: 'failed', compensated: true });
      expect(await accountAt(bob, 4)).toMatchObject({ status: 'open', balanceCents: 500 });
    });

    it('lets an account close once its outgoing transfer has completed', async () => {
      const { accountId: from } = await open('Leaving');
      const { accountId: to } = await open('Staying');
      await deposit(from, 700);
      const { transferId } = (await transfer(from, to, 700)).body;
      expect(await settled(transferId)).toMatchObject({ status: 'completed' });
      expect(await post<AccountWriteResult>(`/accounts/${from}/close`)).toMatchObject({ status: 200, body: { status: 'closed', balanceCents: 0, version: 4 } });
    });

    it('applies a redelivered transfer step once: the accounts ignore a transfer id they have already applied', async () => {
      const accounts = sample.app.get<AggregateRepository<Account>>(getAggregateRepositoryToken(Account));
      const commands = sample.app.get(CommandBus);
      const { accountId: from } = await open('Payer');
      const { accountId: to } = await open('Payee');
      await deposit(from, 1_000);
      const { transferId } = (await transfer(from, to, 300)).body;
      expect(await settled(transferId)).toMatchObject({ status: 'completed' });
      const before = [accounts.versionOf((await accounts.load(from))!), accounts.versionOf((await accounts.load(to))!)];
      expect(before).toEqual([3, 2]);

      // The steps delivered again, straight to the accounts (the handlers would stop at the transfer's status first).
      for (const [accountId, step] of [
        [from, (account: Account) => account.withdrawForTransfer(transferId, to, 300)],
        [to, (account: Account) => account.depositFromTransfer(transferId, from, 300, 'EUR')],
      ] as const) {
        const account = (await accounts.load(accountId))!;
        step(account);
        expect(account.getUncommittedEvents()).toEqual([]);
        await accounts.save(account);
      }
      // And through the command bus, as the saga sends them.
      await commands.execute(new WithdrawForTransfer(transferId, {}));
      await commands.execute(new DepositTransfer(transferId, {}));
      await commands.execute(new RefundTransfer(transferId, 'again', {}));

      const fromNow = (await accounts.load(from))!;
      const toNow = (await accounts.load(to))!;
      expect([accounts.versionOf(fromNow), accounts.versionOf(toNow)]).toEqual(before);
      expect([fromNow.balanceCents, toNow.balanceCents]).toEqual([700, 300]);
    });

    it('answers 404 for a transfer from an unknown account, and for an unknown transfer', async () => {
      const { accountId } = await open();
      const response = await post<ApiErrorBody>('/transfers', { fromAccountId: 'acc-nobody', toAccountId: accountId, amountCents: 1 });
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Account "acc-nobody" does not exist.', details: { resource: 'account', id: 'acc-nobody', notProjectedYet: false } });
      const unknown = await get<ApiErrorBody>('/transfers/trf-nothing');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ message: 'Transfer "trf-nothing" does not exist.', details: { resource: 'transfer', id: 'trf-nothing', notProjectedYet: false } });
    });
  });

  describe('snapshots', () => {
    it('snapshots a busy account at version 50, and keeps loading it right from there', async () => {
      const { accountId, customerId } = await open('Busy Merchant');
      const none = await get<ApiErrorBody>(`/admin/accounts/${accountId}/snapshot`);
      expect(none.status).toBe(404);
      expect(none.body.message).toBe(`Account "${accountId}" has no snapshot (yet): one is taken every 50 events.`);

      for (let i = 1; i <= 49; i++) await deposit(accountId, 1); // versions 2..50
      const snapshot = await get<{ version: number; revision: number; state: unknown; streamId: string }>(`/admin/accounts/${accountId}/snapshot`);
      expect(snapshot.status).toBe(200);
      expect(snapshot.body).toMatchObject({ streamId: `account-${accountId}`, version: 50, revision: 3 });
      // Stored sealed whole under the customer's data key (it holds the owner's name): no name in clear.
      expect(snapshot.body.state).toEqual({ $pd: 1, s: customerId, c: expect.any(String) });
      expect(JSON.stringify(snapshot.body)).not.toContain('Busy Merchant');
      // Loads now start from the snapshot: the balances stay right.
      for (let i = 1; i <= 5; i++) expect(await deposit(accountId, 10)).toMatchObject({ version: 50 + i, balanceCents: 49 + 10 * i });
      expect(await post<AccountWriteResult>(`/accounts/${accountId}/withdrawals`, { amountCents: 99 })).toMatchObject({ status: 200, body: { version: 56, balanceCents: 0 } });
      expect((await get<{ version: number }>(`/admin/accounts/${accountId}/snapshot`)).body.version).toBe(50);
    });
  });

  describe('admin: the read model projection', () => {
    it('reports its status, and 404 for an unknown projection', async () => {
      const status = await get<{ name: string; state: string; eventsHandled: number }>('/admin/projections/bank-read-model');
      expect(status.status).toBe(200);
      expect(status.body).toEqual({ name: 'bank-read-model', state: expect.stringMatching(/^(live|catching-up)$/), eventsHandled: expect.any(Number), eventsSkipped: 0, lastError: null });
      for (const [method, path] of [['GET', '/admin/projections/nope'], ['POST', '/admin/projections/nope/rebuild']] as const) {
        const response = await api.request<ApiErrorBody>(method, path);
        expect(response.status).toBe(404);
        expect(response.body).toMatchObject({ error: 'Not Found', details: { code: 'UNKNOWN_PROJECTION' } });
        expect(response.body.message).toMatch(/^Projection "nope" is not a registered projection\..*Registered: "bank-read-model"\.$/);
      }
    });

    it('rebuilds it from scratch to the same balances, statements and transfers, with progress as JSON lines or in one answer', async () => {
      const { accountId: a } = await open('Rebuild A');
      const { accountId: b } = await open('Rebuild B');
      await deposit(a, 5_000);
      const { transferId } = (await transfer(a, b, 1_250)).body;
      await settled(transferId);
      const readModel = async () => ({
        a: await historyAt(a, 3),
        b: await historyAt(b, 2),
        accountA: await accountAt(a, 3),
        accountB: await accountAt(b, 2),
        transfer: await settled(transferId),
      });
      const before = await readModel();
      expect(before.accountB.balanceCents).toBe(1_250);

      const lines: Array<Record<string, any>> = [];
      for await (const line of api.streamLines('/admin/projections/bank-read-model/rebuild')) lines.push(line);
      const done = lines.at(-1)!;
      expect(done).toEqual({ type: 'done', projection: 'bank-read-model', progress: expect.objectContaining({ fraction: 1, eventsHandled: expect.any(Number) }) });
      const progress = lines.slice(0, -1);
      expect(progress.length).toBeGreaterThan(0);
      for (const [i, line] of progress.entries()) {
        expect(line).toEqual({ type: 'progress', eventsHandled: expect.any(Number), eventsPerSecond: expect.any(Number), elapsedMs: expect.any(Number), fraction: expect.any(Number), estimatedRemainingMs: line.estimatedRemainingMs === null ? null : expect.any(Number) });
        expect(line.fraction).toBeGreaterThanOrEqual(0);
        expect(line.fraction).toBeLessThanOrEqual(1);
        if (i > 0) expect(line.eventsHandled).toBeGreaterThanOrEqual(progress[i - 1]!.eventsHandled);
      }
      // Every event of the feed (7 of them this test's), reported after each page of at most 25.
      expect(done.progress.eventsHandled).toBeGreaterThanOrEqual(7);
      expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(done.progress.eventsHandled / 25));
      expect(progress.at(-1)!.eventsHandled).toBe(done.progress.eventsHandled);
      expect(await readModel()).toEqual(before);

      const once = await post<{ projection: string; progress: Record<string, unknown> }>('/admin/projections/bank-read-model/rebuild');
      expect(once.status).toBe(200);
      expect(once.body).toEqual({
        projection: 'bank-read-model',
        progress: { eventsHandled: done.progress.eventsHandled, eventsPerSecond: expect.any(Number), elapsedMs: expect.any(Number), fraction: 1, estimatedRemainingMs: 0 },
      });
      expect(await readModel()).toEqual(before);

      // It follows new commits again afterwards.
      expect(await deposit(b, 1)).toMatchObject({ version: 3 });
      expect((await accountAt(b, 3)).balanceCents).toBe(1_251);
    });
  });

  describe('admin: account audit (the events replayed, against the aggregate)', () => {
    type Audit = AccountAuditResult;

    it('recomputes the balance from every money event, up to the version the aggregate was loaded at', async () => {
      const { accountId: a } = await open('Audited');
      const { accountId: b } = await open('Payee');
      const { accountId: gone } = await open('Gone');
      expect((await post(`/accounts/${gone}/close`)).status).toBe(200);
      await deposit(a, 5_000); // v2
      expect((await post(`/accounts/${a}/withdrawals`, { amountCents: 1_200 })).status).toBe(200); // v3
      await settled((await transfer(a, b, 1_000)).body.transferId); // v4: withdrawn for the transfer
      await settled((await transfer(a, gone, 500)).body.transferId); // v5 withdrawn, v6 refunded

      const audit = await get<Audit>(`/admin/accounts/${a}/audit`);
      expect(audit.status).toBe(200);
      // Five money events of six (the opening moves no money): 5000 - 1200 - 1000 - 500 + 500.
      expect(audit.body).toEqual({ accountId: a, eventsReplayed: 5, lastVersion: 6, balanceFromEvents: 2_800, balanceOfAggregate: 2_800, consistent: true });
      expect((await get<Audit>(`/admin/accounts/${b}/audit`)).body).toEqual({
        accountId: b,
        eventsReplayed: 1,
        lastVersion: 2,
        balanceFromEvents: 1_000,
        balanceOfAggregate: 1_000,
        consistent: true,
      });
      expect((await get<Audit>(`/admin/accounts/${gone}/audit`)).body).toMatchObject({ eventsReplayed: 0, lastVersion: 2, balanceFromEvents: 0, consistent: true });
    });

    it('finds a snapshot that does not add up: the aggregate loaded from it disagrees with the events', async () => {
      const { accountId } = await open('Tampered');
      await deposit(accountId, 700); // v2
      const streamId = `account-${accountId}`;
      // A snapshot at the current version whose balance no event explains (a bug in a past release, say).
      // (Saved in clear, past the sealing store: a snapshot that is not sealed is loaded as it is.)
      const state = { id: accountId, customerId: 'cus-tampered', owner: 'Tampered', currency: 'EUR', balanceCents: 70_000, status: 'open', transfersOut: {}, transfersIn: {} };
      await sample.app.get(SnapshotRepository).save(streamId, 2, state, { revision: 3 });

      expect((await get<Audit>(`/admin/accounts/${accountId}/audit`)).body).toEqual({
        accountId,
        eventsReplayed: 1,
        lastVersion: 2,
        balanceFromEvents: 700,
        balanceOfAggregate: 70_000,
        consistent: false,
      });
    });

    it('answers 404 for an unknown account and 400 for a malformed id', async () => {
      const unknown = await get<ApiErrorBody>('/admin/accounts/acc-nobody/audit');
      expect(unknown.status).toBe(404);
      expect(unknown.body).toMatchObject({ message: 'Account "acc-nobody" does not exist.', details: { resource: 'account', id: 'acc-nobody', notProjectedYet: false } });
      expect((await get<ApiErrorBody>('/admin/accounts/not%20an%20id/audit')).status).toBe(400);
    });
  });

  describe('GDPR: deleting accounts and forgetting customers', () => {
    const del = <T = ErasureReport>(accountId: string, query: string) => api.request<T>('DELETE', `/admin/accounts/${accountId}?${query}`);
    const closed = async (owner: string) => {
      const { accountId } = await open(owner);
      const close = await post<AccountWriteResult>(`/accounts/${accountId}/close`);
      expect(close.status).toBe(200);
      return accountId; // at version 2
    };
    const hardDeleted: string[] = [];

    it('deletes a closed account: soft (404), then hard (410), or hard at once; the read model drops it', async () => {
      const { accountId: open1 } = await open('Still Open');
      expect((await del<ApiErrorBody>(open1, 'expectedVersion=1')).body).toMatchObject({ statusCode: 422, details: { code: 'ACCOUNT_NOT_CLOSED' } });

      const soft = await closed('Soft Deleted');
      await accountAt(soft, 2);
      expect((await del<ApiErrorBody>(soft, 'mode=soft&expectedVersion=1')).body).toMatchObject({ statusCode: 409, details: { code: 'CONCURRENCY', actualVersion: 2 } });
      expect((await del<ApiErrorBody>(soft, 'mode=gone')).body).toMatchObject({
        statusCode: 400,
        details: [{ field: 'mode', problem: 'must be "soft" or "hard"; got "gone"' }],
      });
      expect((await del<ApiErrorBody>(soft, 'mode=soft')).body).toMatchObject({ statusCode: 400, details: [{ field: 'expectedVersion' }] });
      const softly = await del(soft, 'mode=soft&expectedVersion=2');
      expect(softly.status).toBe(200);
      expect(softly.body).toMatchObject({ operation: 'stream.delete', streamId: `account-${soft}`, mode: 'soft', actions: expect.arrayContaining([expect.objectContaining({ what: 'tombstone-written' })]) });
      // Writes see it at once; the read model once the feed delivers StreamDeleted.
      expect((await post<ApiErrorBody>(`/accounts/${soft}/deposits`, { amountCents: 1 })).status).toBe(404);
      expect((await api.pollStatus<ApiErrorBody>(`/accounts/${soft}`, [404], 20_000)).body.details).toEqual({ resource: 'account', id: soft, notProjectedYet: false });
      // What the soft delete hid, a hard delete at version 0 erases.
      const erased = await del(soft, 'mode=hard&expectedVersion=0');
      expect(erased.status).toBe(200);
      expect(erased.body.actions.map((action) => action.what)).toContain('events-deleted');

      const hard = await closed('Hard Deleted');
      await accountAt(hard, 2);
      const report = await api.request<ErasureReport>('DELETE', `/admin/accounts/${hard}?mode=hard`, { headers: { 'If-Match': '"2"' } });
      expect(report.status).toBe(200);
      expect(report.body).toMatchObject({ operation: 'stream.delete', streamId: `account-${hard}`, mode: 'hard', completedAt: expect.any(String) });
      expect(report.body.actions).toContainEqual(expect.objectContaining({ what: 'events-deleted', where: `${sample.tablePrefix}events`, count: 2 }));
      expect(report.body.notes.length).toBeGreaterThan(0);

      const gone = await api.pollStatus<ApiErrorBody>(`/accounts/${hard}`, [410], 20_000);
      expect(gone.body).toMatchObject({ error: 'Gone', details: { code: 'STREAM_DELETED', streamId: `account-${hard}`, deletedVersion: 2 } });
      for (const [method, path] of [['POST', `/accounts/${hard}/deposits`], ['GET', `/accounts/${hard}/history`], ['DELETE', `/admin/accounts/${hard}?mode=hard&expectedVersion=2`]] as const) {
        expect((await api.request(method, path, method === 'POST' ? { body: { amountCents: 1 } } : {})).status).toBe(410);
      }
      expect((await get(`/accounts/${soft}`)).status).toBe(410);
      hardDeleted.push(soft, hard);
      expect((await del<ApiErrorBody>('acc-nobody', 'mode=hard&expectedVersion=0')).status).toBe(404);
    });

    it('forgets a customer: their names read "[redacted]" in writes, the read model and a rebuild; balances stay; deleted accounts stay gone', async () => {
      const customerId = `cus-${Date.now().toString(36)}`;
      const { accountId: main } = await open('Forget Me', { customerId });
      await deposit(main, 2_500);
      const { accountId: second } = await open('Forget Me', { customerId });
      const { accountId: other } = await open('Keep Me');
      await accountAt(main, 2);
      await accountAt(second, 1);

      const forgot = await post<ErasureReport>(`/admin/customers/${customerId}/forget`);
      expect(forgot.status).toBe(200);
      expect(forgot.body).toMatchObject({ operation: 'subject.forget', subject: customerId });
      expect(forgot.body.actions).toContainEqual(expect.objectContaining({ what: 'data-key-deleted', where: `${sample.tablePrefix}personal-data-keys`, count: 1 }));

      // The write model: the aggregate loads, with its balance, and the name redacted.
      expect((await post<AccountWriteResult>(`/accounts/${main}/deposits`, { amountCents: 500 })).body).toMatchObject({ owner: REDACTED, customerId, balanceCents: 3_000, version: 3 });
      // The read model, once it has seen CustomerForgotten (its copies were made while the name was readable).
      await api.poll<AccountView>(`/accounts/${second}`, (view) => view.owner === REDACTED, 20_000);
      expect(await accountAt(main, 3)).toMatchObject({ owner: REDACTED, balanceCents: 3_000 });
      expect((await get<AccountView>(`/accounts/${other}`)).body.owner).toBe('Keep Me');
      // No account for a forgotten customer: nothing is stored.
      expect((await post<ApiErrorBody>('/accounts', { owner: 'Forget Me', customerId })).body).toMatchObject({ statusCode: 422, details: { code: 'SUBJECT_FORGOTTEN', customerId } });
      // Forgetting again is harmless.
      expect((await post<ErasureReport>(`/admin/customers/${customerId}/forget`)).body.actions[0]).toMatchObject({ what: 'data-key-deleted', count: 0 });

      // Rebuilt from the feed, the read model reads the names as the events hold them now.
      expect((await post(`/admin/projections/bank-read-model/rebuild`)).status).toBe(200);
      expect((await get<AccountView>(`/accounts/${main}`)).body).toMatchObject({ owner: REDACTED, customerId, balanceCents: 3_000, version: 3 });
      expect((await get<AccountView>(`/accounts/${second}`)).body.owner).toBe(REDACTED);
      expect((await get<AccountView>(`/accounts/${other}`)).body.owner).toBe('Keep Me');
      expect((await get<AccountHistoryView>(`/accounts/${main}/history`)).body.entries.map((entry) => entry.kind)).toEqual(['opened', 'deposit', 'deposit']);
      expect((await get<AccountAuditResult>(`/admin/accounts/${main}/audit`)).body).toMatchObject({ balanceFromEvents: 3_000, consistent: true });
      // The accounts deleted in the test before: not brought back by the rebuild.
      for (const accountId of hardDeleted) expect((await get(`/accounts/${accountId}`)).status).toBe(410);
    });
  });

  describe('health (@nestjs/terminus)', () => {
    it('is up: DynamoDB reachable, the tables as expected, the read model live, the feed indexer running', async () => {
      const response = await get<{ status: string; info: Record<string, any>; error: object; details: object }>('/health');
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('ok');
      expect(response.body.error).toEqual({});
      const report = response.body.info['event-sourcing'];
      const table = (suffix: string) => ({ name: `${sample.tablePrefix}${suffix}`, matches: true });
      expect(report).toMatchObject({
        status: 'up',
        dynamodb: { status: 'up', reachable: true, tables: { events: table('events'), snapshots: table('snapshots'), projections: table('projections') } },
        projections: { status: 'up', projections: { 'bank-read-model': { state: expect.stringMatching(/^(live|catching-up)$/) } } },
        feedIndexer: { status: 'up' },
      });
      expect(response.body.details).toEqual(response.body.info);
    });
  });
});
