import type { AccountWriteResult } from '../accounts/account-write.result.js';
import type { AccountAuditResult } from '../admin/account-audit.result.js';
import type { ErasureReport } from '../../lib/index.js';
import type { ApiErrorBody } from '../http/api-error.filter.js';
import type { AccountHistoryView } from '../read-model/views/account-history.view.js';
import type { AccountView } from '../read-model/views/account.view.js';
import type { TransferView } from '../read-model/views/transfer.view.js';
import { formatMoney } from '../shared/money.js';
import type { TransferAcceptedResult } from '../transfers/transfer-accepted.result.js';
import { BankApiClient, UnexpectedResponseError } from './bank-api.client.js';

export interface DemoResult {
  /** Everything printed, in order. */
  readonly lines: readonly string[];
  /** The summary's lines (the end of `lines`). */
  readonly summary: readonly string[];
}

/** Deposits made to the busy account: past 50 events, so that it gets a snapshot. */
const BUSY_DEPOSITS = 60;

/**
 * The demo scenario, driven through the HTTP API only (as any client would): accounts, deposits,
 * a withdrawal, four requests the API refuses, a transfer that succeeds and one that fails and is
 * compensated, a busy account's snapshot and audit, the read model, the read model rebuilt from scratch,
 * and GDPR: a customer forgotten (crypto-shredding) and a closed account hard-deleted.
 * It checks what it gets as it goes, and throws if the API answers anything unexpected.
 */
export async function runDemo(baseUrl: string, print: (line: string) => void = console.log): Promise<DemoResult> {
  const lines: string[] = [];
  const say = (line = '') => {
    lines.push(line);
    print(line);
  };
  const api = new BankApiClient(baseUrl);
  const owners = new Map<string, string>(); // account id → owner, for printing
  const lastVersion = new Map<string, number>(); // account id → version of its last write
  let deposits = 0;
  let withdrawals = 0;

  const written = (account: AccountWriteResult) => {
    lastVersion.set(account.accountId, account.version);
    return `balance ${formatMoney(account.balanceCents, account.currency)}, version ${account.version}`;
  };
  const customers = new Map<string, string>(); // account id → customer id (the data subject)
  const open = async (body: { owner: string; currency?: string }) => {
    const { body: account } = await api.expect<AccountWriteResult>(201, 'POST', '/accounts', { body });
    owners.set(account.accountId, account.owner);
    customers.set(account.accountId, account.customerId);
    say(`   POST /accounts ${JSON.stringify(body)} → 201 ${account.accountId}, ${written(account)}`);
    return account.accountId;
  };
  const move = async (kind: 'deposits' | 'withdrawals', accountId: string, amountCents: number, quiet = false) => {
    const path = `/accounts/${accountId}/${kind}`;
    const { body: account } = await api.expect<AccountWriteResult>(200, 'POST', path, { body: { amountCents } });
    if (kind === 'deposits') deposits++;
    else withdrawals++;
    const result = written(account);
    if (!quiet) say(`   POST ${path} {"amountCents":${amountCents}} → 200 ${result}`);
    return account;
  };
  const refused = async (what: string, status: number, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) => {
    const { body } = await api.expect<ApiErrorBody>(status, method, path, options);
    const header = options.headers?.['If-Match'] === undefined ? '' : ` If-Match: ${options.headers['If-Match']}`;
    const code = (body.details as { code?: string } | undefined)?.code;
    say(`   ${what}: ${method} ${path}${header}${options.body === undefined ? '' : ` ${JSON.stringify(options.body)}`}`);
    say(`     → ${status} ${code === undefined ? '' : `${code}: `}${body.message}`);
    return `${status} ${what}`;
  };
  const settle = async (transferId: string) => {
    const { body, waitedMs } = await api.poll<TransferView>(`/transfers/${transferId}`, (t) => t.status === 'completed' || t.status === 'failed');
    const chain = body.steps.map((step) => step.step).join(' → ');
    const caused = body.steps.every((step, i) => i === 0 || step.causationId === body.steps[i - 1]!.eventId);
    const correlated = new Set(body.steps.map((step) => step.correlationId)).size === 1;
    say(`   GET /transfers/${transferId} → ${body.status}${body.compensated ? ', compensated' : ''} (read model caught up after ${waitedMs} ms)`);
    if (body.reason !== null) say(`     reason: ${body.reason}`);
    say(`     steps: ${chain}`);
    say(`     each step caused by the one before: ${caused ? 'yes' : 'NO'}; one correlation id for all: ${correlated ? 'yes' : 'NO'}`);
    if (!caused || !correlated) throw new UnexpectedResponseError(`Transfer ${transferId} has steps without their causation: ${JSON.stringify(body.steps)}`);
    return body;
  };
  /** Every account, statement and transfer as the read model has them, once it has caught up with every write. */
  const readModel = async (transferIds: string[]) => {
    const accounts: AccountView[] = [];
    const histories: AccountHistoryView[] = [];
    for (const [accountId, version] of lastVersion) {
      accounts.push((await api.poll<AccountView>(`/accounts/${accountId}`, (view) => view.version >= version)).body);
      histories.push((await api.expect<AccountHistoryView>(200, 'GET', `/accounts/${accountId}/history`)).body);
    }
    const transfers: TransferView[] = [];
    for (const transferId of transferIds) transfers.push((await api.expect<TransferView>(200, 'GET', `/transfers/${transferId}`)).body);
    return { accounts, histories, transfers };
  };

  say(`Bank sample demo, against ${baseUrl}`);
  say();
  say('1. Open two accounts');
  const ada = await open({ owner: 'Ada Lovelace', currency: 'EUR' });
  const grace = await open({ owner: 'Grace Hopper', currency: 'EUR' });

  say();
  say('2. Deposits and a withdrawal (each answer comes from the write model, right after the commit)');
  await move('deposits', ada, 150_000);
  await move('deposits', ada, 25_000);
  await move('deposits', grace, 40_000);
  await move('withdrawals', ada, 12_000);

  say();
  say('3. Requests the API refuses');
  const refusals = [
    await refused('an overdraft', 422, 'POST', `/accounts/${grace}/withdrawals`, { body: { amountCents: 1_000_000 } }),
    // Ada's account is at version 4: a client still holding the ETag of version 2 must not overwrite what happened since.
    await refused('a stale version', 409, 'POST', `/accounts/${ada}/deposits`, { body: { amountCents: 100 }, headers: { 'If-Match': '"2"' } }),
    await refused('an invalid body', 400, 'POST', `/accounts/${ada}/deposits`, { body: { amount: 12.5 } }),
    await refused('an unknown account', 404, 'GET', '/accounts/acc-nobody'),
  ];

  say();
  say('4. A transfer that succeeds (202: the saga moves the money after the request returns)');
  const first = await api.expect<TransferAcceptedResult>(202, 'POST', '/transfers', { body: { fromAccountId: ada, toAccountId: grace, amountCents: 30_000 } });
  say(`   POST /transfers {"fromAccountId":"${ada}","toAccountId":"${grace}","amountCents":30000} → 202 ${first.body.transferId}, ${first.body.status}`);
  const completed = await settle(first.body.transferId);
  if (completed.status !== 'completed') throw new UnexpectedResponseError(`The first transfer should have completed: ${JSON.stringify(completed)}`);
  lastVersion.set(ada, lastVersion.get(ada)! + 1); // the saga's legs wrote to both accounts
  lastVersion.set(grace, lastVersion.get(grace)! + 1);

  say();
  say('5. A transfer that fails and is compensated: the target account is closed');
  const charles = await open({ owner: 'Charles Babbage' });
  const closed = await api.expect<AccountWriteResult>(200, 'POST', `/accounts/${charles}/close`);
  say(`   POST /accounts/${charles}/close → 200 ${closed.body.status}, ${written(closed.body)}`);
  const second = await api.expect<TransferAcceptedResult>(202, 'POST', '/transfers', { body: { fromAccountId: ada, toAccountId: charles, amountCents: 5_000 } });
  say(`   POST /transfers {"fromAccountId":"${ada}","toAccountId":"${charles}","amountCents":5000} → 202 ${second.body.transferId}, ${second.body.status}`);
  const failed = await settle(second.body.transferId);
  if (failed.status !== 'failed' || !failed.compensated) throw new UnexpectedResponseError(`The second transfer should have failed and been refunded: ${JSON.stringify(failed)}`);
  lastVersion.set(ada, lastVersion.get(ada)! + 2); // withdrawn, then refunded

  say();
  say(`6. A busy account: ${BUSY_DEPOSITS} deposits, a snapshot every 50 events, and an audit of its balance`);
  const payroll = await open({ owner: 'Payroll Ltd' });
  let busy: AccountWriteResult | undefined;
  for (let i = 0; i < BUSY_DEPOSITS; i++) busy = await move('deposits', payroll, 100, true);
  say(`   ${BUSY_DEPOSITS} × POST /accounts/${payroll}/deposits {"amountCents":100} → 200 each, ${written(busy!)}`);
  const { body: snapshot } = await api.expect<{ version: number; storedBytes: number; encoding: string }>(200, 'GET', `/admin/accounts/${payroll}/snapshot`);
  say(`   GET /admin/accounts/${payroll}/snapshot → version ${snapshot.version} (${snapshot.storedBytes} bytes, ${snapshot.encoding})`);
  say(`     loading the account reads that snapshot and the ${busy!.version - snapshot.version} events after it, not ${busy!.version} events`);
  const { body: audit } = await api.expect<AccountAuditResult>(200, 'GET', `/admin/accounts/${payroll}/audit`);
  say(`   GET /admin/accounts/${payroll}/audit → ${audit.eventsReplayed} money events replayed up to version ${audit.lastVersion}:`);
  say(
    `     ${formatMoney(audit.balanceFromEvents, 'EUR')} from the events, ${formatMoney(audit.balanceOfAggregate, 'EUR')} in the aggregate loaded from the snapshot: ${audit.consistent ? 'consistent' : 'INCONSISTENT'}`,
  );
  if (!audit.consistent) throw new UnexpectedResponseError(`The busy account's audit found a difference: ${JSON.stringify(audit)}`);

  say();
  say('7. The read model (GET: eventually consistent; read until it shows each account\'s last write)');
  const before = await readModel([first.body.transferId, second.body.transferId]);
  for (const account of before.accounts) {
    say(
      `   ${account.owner.padEnd(16)} ${account.accountId}  ${formatMoney(account.balanceCents, account.currency).padStart(14)}  ${account.status.padEnd(6)}  version ${account.version}`,
    );
  }
  const adaHistory = before.histories.find((history) => history.accountId === ada)!;
  say(`   GET /accounts/${ada}/history:`);
  for (const entry of adaHistory.entries) {
    const amount = entry.amountCents === 0 ? '' : `${entry.amountCents > 0 ? '+' : ''}${formatMoney(entry.amountCents, adaHistory.currency)}`;
    const other = entry.counterpartyAccountId === undefined ? '' : ` (${entry.amountCents < 0 ? 'to' : 'from'} ${entry.counterpartyAccountId})`;
    say(`     v${String(entry.version).padEnd(3)} ${entry.kind.padEnd(16)} ${amount.padStart(14)}  → ${formatMoney(entry.balanceAfterCents, adaHistory.currency)}${other}`);
  }

  say();
  say('8. Rebuild the read model from scratch: POST /admin/projections/bank-read-model/rebuild (Accept: application/x-ndjson)');
  let done: { eventsHandled: number; elapsedMs: number } | undefined;
  for await (const line of api.streamLines('/admin/projections/bank-read-model/rebuild')) {
    if (line.type === 'progress') {
      const { eventsHandled, fraction, eventsPerSecond, estimatedRemainingMs } = line as { eventsHandled: number; fraction: number; eventsPerSecond: number; estimatedRemainingMs: number | null };
      const left = estimatedRemainingMs === null ? '' : `, about ${estimatedRemainingMs < 1000 ? `${Math.round(estimatedRemainingMs)} ms` : `${(estimatedRemainingMs / 1000).toFixed(1)} s`} left`;
      say(`   ${String(eventsHandled).padStart(5)} events  ${`${Math.round(fraction * 100)}%`.padStart(4)}  ${eventsPerSecond.toLocaleString('en-US')} events/s${left}`);
    } else if (line.type === 'done') {
      done = (line as { progress: { eventsHandled: number; elapsedMs: number } }).progress;
      say(`   done: ${done.eventsHandled} events in ${done.elapsedMs} ms`);
    } else {
      throw new UnexpectedResponseError(`The rebuild failed: ${JSON.stringify(line)}`);
    }
  }
  if (done === undefined) throw new UnexpectedResponseError('The rebuild stream ended without a result.');
  const after = await readModel([first.body.transferId, second.body.transferId]);
  const identical = JSON.stringify(after) === JSON.stringify(before);
  say(`   accounts, statements and transfers after the rebuild: ${identical ? 'identical to before' : 'DIFFERENT from before'}`);
  if (!identical) throw new UnexpectedResponseError(`The rebuilt read model differs:\nbefore ${JSON.stringify(before)}\nafter  ${JSON.stringify(after)}`);

  say();
  say('9. GDPR: forget a customer (crypto-shredding), then hard-delete a closed account');
  const adaCustomer = customers.get(ada)!;
  const { body: forgot } = await api.expect<ErasureReport>(200, 'POST', `/admin/customers/${adaCustomer}/forget`);
  say(`   POST /admin/customers/${adaCustomer}/forget → 200 erasure report: ${describeActions(forgot)}`);
  const { body: redacted, waitedMs } = await api.poll<AccountView>(`/accounts/${ada}`, (view) => view.owner === '[redacted]');
  say(`   GET /accounts/${ada} → owner ${JSON.stringify(redacted.owner)}, balance ${formatMoney(redacted.balanceCents, redacted.currency)} (the read model forgot after ${waitedMs} ms)`);
  const { body: adaAudit } = await api.expect<AccountAuditResult>(200, 'GET', `/admin/accounts/${ada}/audit`);
  say(`   GET /admin/accounts/${ada}/audit → the account still loads: ${formatMoney(adaAudit.balanceOfAggregate, 'EUR')}, ${adaAudit.consistent ? 'consistent' : 'INCONSISTENT'} with its events`);
  if (redacted.balanceCents !== adaAudit.balanceOfAggregate || !adaAudit.consistent) throw new UnexpectedResponseError(`Ada's account changed when her name was forgotten: ${JSON.stringify(adaAudit)}`);
  const deletePath = `/admin/accounts/${charles}?mode=hard&expectedVersion=${lastVersion.get(charles)}`;
  const { body: deletion } = await api.expect<ErasureReport>(200, 'DELETE', deletePath);
  say(`   DELETE ${deletePath} → 200 erasure report: ${describeActions(deletion)}`);
  say(`     notes: ${deletion.notes.join(' ')}`);
  const gone = await api.pollStatus<ApiErrorBody>(`/accounts/${charles}`, [410]);
  say(`   GET /accounts/${charles} → 410 ${gone.body.message}`);
  const erasedEvents = deletion.actions.filter((action) => action.what === 'events-deleted').reduce((sum, action) => sum + action.count, 0);

  const summary = [
    'Summary',
    `  Accounts: ${owners.size} opened, 1 closed`,
    `  Accepted: ${deposits} deposits, ${withdrawals} withdrawal, 2 transfers (1 completed; 1 failed and compensated)`,
    `  Refused as they should be: ${refusals.join(', ')}`,
    `  Snapshot: the busy account's, at version ${snapshot.version} of ${busy!.version}`,
    `  Read model: rebuilt from scratch from ${done.eventsHandled} events in ${done.elapsedMs} ms; identical before and after`,
    `  Balances: ${before.accounts.map((a) => `${a.owner} ${formatMoney(a.balanceCents, a.currency)}${a.status === 'closed' ? ' (closed)' : ''}`).join('; ')}`,
    `  GDPR: Ada's customer forgotten (owner now "${redacted.owner}", balance ${formatMoney(redacted.balanceCents, redacted.currency)} still loads); ${owners.get(charles)}'s closed account hard-deleted (${erasedEvents} events erased, reads answer 410)`,
  ];
  say();
  summary.forEach((line) => say(line));
  return { lines, summary };
}

/** An erasure report's actions in a line: `tombstone-written 1 (bank-events), ...`. */
function describeActions(report: ErasureReport): string {
  return report.actions.map((action) => `${action.what} ${action.count} (${action.where})`).join(', ');
}
