import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runDemo } from '../sample/demo/run-demo.js';
import { startSampleApp, type SampleApp } from './support/sample-app.js';

/** `npm run demo`'s scenario, end to end over HTTP against the test DynamoDB: what it prints is what happened. */
describe('sample demo', () => {
  let sample: SampleApp;
  beforeAll(async () => {
    sample = await startSampleApp();
  });
  afterAll(() => sample?.close());

  it('runs the whole scenario and prints its summary', async () => {
    const printed: string[] = [];
    const { lines, summary } = await runDemo(sample.url, (line) => printed.push(line));

    expect(printed).toEqual(lines);
    expect(summary).toEqual([
      'Summary',
      '  Accounts: 4 opened, 1 closed',
      '  Accepted: 63 deposits, 1 withdrawal, 2 transfers (1 completed; 1 failed and compensated)',
      '  Refused as they should be: 422 an overdraft, 409 a stale version, 400 an invalid body, 404 an unknown account',
      "  Snapshot: the busy account's, at version 50 of 61",
      expect.stringMatching(/^ {2}Read model: rebuilt from scratch from 78 events in \d+ ms; identical before and after$/),
      '  Balances: Ada Lovelace 1,330.00 EUR; Grace Hopper 700.00 EUR; Charles Babbage 0.00 EUR (closed); Payroll Ltd 60.00 EUR',
      `  GDPR: Ada's customer forgotten (owner now "[redacted]", balance 1,330.00 EUR still loads); Charles Babbage's closed account hard-deleted (2 events erased, reads answer 410)`,
    ]);
    expect(lines.slice(-summary.length)).toEqual(summary);

    // The parts of the story the summary does not repeat.
    const text = lines.join('\n');
    expect(text).toMatch(/→ 422 INSUFFICIENT_FUNDS: Account "acc-\w+" holds 400\.00 EUR: it cannot pay 10,000\.00 EUR \(no overdraft\)\./);
    expect(text).toMatch(/→ 409 CONCURRENCY: "account-acc-\w+" is at version 4, not 2: it changed since you read it\./);
    expect(text).toMatch(/steps: requested → withdrawn → deposited → completed\n.*each step caused by the one before: yes; one correlation id for all: yes/);
    expect(text).toMatch(/reason: deposit refused: Account "acc-\w+" is closed: cannot transfer to it\.\n.*steps: requested → withdrawn → credit-refused → refunded → failed/);
    expect(text).toMatch(/loading the account reads that snapshot and the 11 events after it, not 61 events/);
    expect(text).toMatch(
      /GET \/admin\/accounts\/acc-\w+\/audit → 60 money events replayed up to version 61:\n {5}60\.00 EUR from the events, 60\.00 EUR in the aggregate loaded from the snapshot: consistent\n/,
    );
    const progress = lines.filter((line) => /^ +\d+ events +\d+% +[\d,]+ events\/s/.test(line));
    expect(progress.length).toBeGreaterThanOrEqual(Math.ceil(78 / 25)); // a line per page of 25
    expect(text).toContain('   done: 78 events in ');
    expect(text).toContain('accounts, statements and transfers after the rebuild: identical to before');
    expect(text).toMatch(/POST \/admin\/customers\/cus-\w+\/forget → 200 erasure report: data-key-deleted 1 \(es-test-bank-\w+-personal-data-keys\)/);
    expect(text).toMatch(/GET \/accounts\/acc-\w+ → owner "\[redacted\]", balance 1,330\.00 EUR/);
    expect(text).toMatch(/GET \/accounts\/acc-\w+ → 410 "account-acc-\w+" was erased for good/);
  });
});
