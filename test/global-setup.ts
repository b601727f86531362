// Jest loads global setup through require(), where the .js-to-.ts mapping does not apply: no extension here.
import type { GlobalConfig } from 'jest';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EmbeddedDynamoDb } from '../lib/testing/embedded-dynamodb';

/** The specs that run the built CLI (dist/lib/cli/main.js) in a child process, as the package's bin does. */
const BUILT_CLI_SPECS = /^cli(\.[\w-]+)?\.spec\.ts$/;

/**
 * Builds dist/ first when the run includes a spec that runs the built CLI and dist/ is not a build
 * of the sources as they are (scripts/ensure-build.mjs decides; it does nothing when it is), so that
 * any jest invocation works on a fresh clone or after an edit. Runs that include no such spec do
 * not pay for a build.
 */
function ensureBuildFor(globalConfig: GlobalConfig): void {
  const specs = readdirSync(join(globalConfig.rootDir, 'test'))
    .filter((file) => BUILT_CLI_SPECS.test(file))
    .map((file) => join(globalConfig.rootDir, 'test', file));
  const patterns = globalConfig.testPathPatterns;
  // Without patterns every spec runs; with them, jest's own matcher says whether one of these does.
  const selected = !patterns.isSet() || specs.some((spec) => patterns.toExecutor({ rootDir: globalConfig.rootDir }).isMatch(spec));
  if (!selected) return;
  const { status } = spawnSync(process.execPath, [join(globalConfig.rootDir, 'scripts', 'ensure-build.mjs')], { stdio: 'inherit' });
  // The other tests do not need dist/: they run; those that do fail on their own, saying why (test/support/built-cli.ts).
  if (status !== 0) console.warn('\nThe build failed (see above): the tests that run the built CLI will fail.');
}

/**
 * Builds what the CLI specs run (see {@link ensureBuildFor}), then starts one DynamoDB Local for the
 * whole run, unless DYNAMODB_ENDPOINT points at another DynamoDB (docker compose, or real AWS): then
 * every test runs there instead.
 */
export default async function globalSetup(globalConfig: GlobalConfig): Promise<void> {
  ensureBuildFor(globalConfig);
  if (process.env.DYNAMODB_ENDPOINT) {
    console.log(`\nTests run against DYNAMODB_ENDPOINT=${process.env.DYNAMODB_ENDPOINT}`);
    return;
  }
  const dynamo = await EmbeddedDynamoDb.start();
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint; // inherited by the test workers
  (globalThis as { __embeddedDynamoDb?: EmbeddedDynamoDb }).__embeddedDynamoDb = dynamo;
  console.log(`\nTests run against DynamoDB Local started on ${dynamo.endpoint}`);
}
