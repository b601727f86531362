import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../sample/app.module.js';
import { runDemo } from '../sample/demo.js';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';

/** The sample behind `npm start`, run against the test endpoint: what it prints is what happened. */
describe('sample app', () => {
  const table = uniqueTableName('sample');
  let app: INestApplicationContext;

  beforeAll(async () => {
    const module = await Test.createTestingModule({ imports: [AppModule.forDynamo(testClientConfig(), table)] }).compile();
    app = await module.init();
  });
  afterAll(async () => {
    await app.close();
    await deleteTables(table);
  });

  it('appends, refuses a stale writer, reads back the balance and republishes on the EventBus', async () => {
    const lines = await runDemo(app, () => undefined);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^Opened account acc-\w+ \(stream version 1\)$/);
    expect(lines[1]).toContain('(stream version 4)');
    expect(lines[3]).toBe('A stale writer was refused: expected version 4, actual 5');
    expect(lines[4]).toBe('Read back 5 events: balance 315 EUR');
    expect(lines[5]).toMatch(/delivered 4 events .*MoneyDeposited 100 on acc-\w+; MoneyDeposited 250 .*MoneyWithdrawn 75/);
  });
});
