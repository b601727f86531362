import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsTableDefinition } from '../lib/index.js';
import { STOP_GRACE_MS } from '../lib/testing/embedded-dynamodb.js';
import { EmbeddedDynamoDb, EmbeddedDynamoDbError, localClientConfig } from '../lib/testing/index.js';
import { isRunning, startChildNode, transpileForChildProcess, whenGone } from './support/child-node.js';

describe('EmbeddedDynamoDb', () => {
  const originalPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = originalPath;
  });

  it('fails with a clear message naming the Debian package when Java is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-java-'));
    process.env.PATH = empty;
    try {
      const start = EmbeddedDynamoDb.start();
      await expect(start).rejects.toBeInstanceOf(EmbeddedDynamoDbError);
      await expect(start).rejects.toThrow(/Java was not found.*openjdk-17-jre-headless/);
    } finally {
      rmSync(empty, { recursive: true });
    }
  });

  it('refuses a port that something else already listens on, instead of talking to it', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as { port: number };
    try {
      await expect(EmbeddedDynamoDb.start({ port })).rejects.toThrow(new RegExp(`Port ${port} is not free`));
    } finally {
      squatter.close();
    }
  });

  it('keeps data in a directory across restarts when asked to', async () => {
    const dataDirectory = mkdtempSync(join(tmpdir(), 'dynamo-data-'));
    try {
      const first = await EmbeddedDynamoDb.start({ dataDirectory });
      let client = new DynamoDBClient(first.clientConfig());
      await client.send(new CreateTableCommand(eventsTableDefinition('kept')));
      client.destroy();
      await first.stop();

      const second = await EmbeddedDynamoDb.start({ dataDirectory });
      client = new DynamoDBClient(second.clientConfig());
      try {
        expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['kept']);
      } finally {
        client.destroy();
        await second.stop();
      }
    } finally {
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });

  it('is in memory by default: a new instance starts empty, and stop() frees the port', async () => {
    const dynamo = await EmbeddedDynamoDb.start();
    const client = new DynamoDBClient({ ...dynamo.clientConfig(), maxAttempts: 1 });
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      await dynamo.stop();
      await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    } finally {
      client.destroy();
      await dynamo.stop();
    }
  });

  it('dies with the process that started it, even when that process is SIGKILLed (no exit hook runs)', async () => {
    const sources = transpileForChildProcess(['test/support/embedded-dynamodb-parent.ts']);
    const parent = startChildNode(sources.path('test/support/embedded-dynamodb-parent.ts'));
    let javaPid: number | undefined;
    try {
      const started = JSON.parse(await parent.waitForLine((line) => line.includes('"started"'), 60_000)) as { pid: number; endpoint: string };
      javaPid = started.pid;
      const client = new DynamoDBClient({ ...localClientConfig(started.endpoint), maxAttempts: 1 });
      try {
        expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      } finally {
        client.destroy();
      }

      await parent.kill();
      const killedAt = Date.now();
      // The watchdog sends SIGTERM at once and SIGKILL after STOP_GRACE_MS; 10 s more for a busy machine.
      const goneAt = await whenGone(javaPid, killedAt + STOP_GRACE_MS + 10_000);
      expect(goneAt).toBeDefined();
      console.log(`DynamoDB Local (pid ${javaPid}) was gone ${goneAt! - killedAt} ms after its parent was SIGKILLed`);
    } finally {
      await parent.kill();
      if (javaPid !== undefined && isRunning(javaPid)) process.kill(-javaPid, 'SIGKILL'); // the old behaviour: clean up after it
      sources.remove();
    }
  });
});
