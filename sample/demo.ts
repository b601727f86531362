import type { INestApplicationContext } from '@nestjs/common';
import { ConcurrencyError } from '../lib/index.js';
import { AccountActivityHandler } from './accounts/account-activity.handler.js';
import { AccountsService } from './accounts/accounts.service.js';

/** What the sample does once the app is up: a few appends, a conflict, a read. Returns what it printed. */
export async function runDemo(app: INestApplicationContext, print: (line: string) => void = console.log): Promise<string[]> {
  const lines: string[] = [];
  const say = (line: string) => (lines.push(line), print(line));
  const accounts = app.get(AccountsService);
  const accountId = `acc-${Date.now().toString(36)}`;

  let version = await accounts.open(accountId, 'Ada Lovelace');
  say(`Opened account ${accountId} (stream version ${version})`);
  version = await accounts.deposit(accountId, [100, 250, 40], version);
  say(`Deposited 100, 250 and 40 in one atomic commit (stream version ${version})`);
  version = await accounts.withdraw(accountId, 75, version);
  say(`Withdrew 75 (stream version ${version})`);

  try {
    await accounts.withdraw(accountId, 500, version - 1); // a writer that read a stale version
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
    say(`A stale writer was refused: expected version ${error.expectedVersion}, actual ${error.actualVersion}`);
  }

  const state = await accounts.load(accountId);
  say(`Read back ${state.version} events: balance ${state.balance} EUR`);
  const handler = app.get(AccountActivityHandler);
  say(`The EventBus delivered ${handler.seen.length} events to AccountActivityHandler: ${handler.seen.join('; ')}`);
  return lines;
}
