import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from './support/cli-harness.js';
import { ConfigDirectory } from './support/cli-config-files.js';

/**
 * Bad command lines and options, each refused before anything is sent: they run against an
 * endpoint where nothing listens, so a command that sent a request would fail with "cannot reach
 * DynamoDB" and exit code 1 instead. Each is one line on stderr and exit code 2 (README, Command line).
 */
const DEAD_ENDPOINT = 'http://127.0.0.1:1';
const configs = new ConfigDirectory();
const baseConfig = configs.json({ tablePrefix: 'cli-bad-input-', snapshots: {} });
afterAll(() => configs.cleanup());

describe('nestjs-dynamo-es: bad flags and values', () => {
  it.each([
    ['a flag value that starts with "-"', ['stream', 'show', 'acc-1', '--from', '-1'], /^nestjs-dynamo-es: option --from needs a value; to give one that starts with "-", write --from=<value> \(see nestjs-dynamo-es stream show --help\)$/],
    ['a negative number', ['stream', 'show', 'acc-1', '--from=-1'], /--from must be a whole number >= 1; got "-1"$/],
    ['a fractional number', ['stream', 'show', 'acc-1', '--to', '1.5'], /--to must be a whole number >= 1; got "1.5"$/],
    ['zero where 1 is the least', ['stream', 'show', 'acc-1', '--to', '0'], /--to must be a whole number >= 1; got "0"$/],
    ['a number past 2^53', ['stream', 'show', 'acc-1', '--from', '99999999999999999999'], /--from must be a whole number >= 1; got "99999999999999999999"$/],
    ['a hexadecimal number', ['feed', 'tail', '--limit', '0x10'], /--limit must be a whole number >= 1; got "0x10"$/],
    ['an exponent', ['feed', 'tail', '--page-size', '1e3'], /--page-size must be a whole number from 1 to 1000; got "1e3"$/],
    ['an empty number', ['snapshots', 'prune', 'acc-1', '--keep', ''], /--keep must be a whole number >= 1; got ""$/],
    ['a word for a number', ['snapshots', 'prune', 'acc-1', '--keep', 'three'], /--keep must be a whole number >= 1; got "three"$/],
    ['a poll interval of 0 ms', ['feed', 'tail', '--follow', '--interval', '0'], /--interval must be a whole number from 1 to 3600000; got "0"$/],
    ['a misspelt flag', ['stream', 'show', 'acc-1', '--frmo', '2'], /^nestjs-dynamo-es: unknown option --frmo \(see nestjs-dynamo-es stream show --help\)$/],
    ['a value given to a boolean flag', ['stream', 'show', 'acc-1', '--json=yes'], /option --json takes no value/],
    ['a flag missing its value', ['feed', 'tail', '--types'], /option --types needs a value/],
    ['an empty --config', ['tables', 'verify', '--config', ''], /^nestjs-dynamo-es: --config needs a non-empty value$/],
    ['an empty --region', ['tables', 'verify', '--region', ''], /^nestjs-dynamo-es: --region needs a non-empty value$/],
    ['an empty --endpoint', ['tables', 'verify', '--endpoint', ''], /--endpoint must be an http\(s\) URL such as http:\/\/localhost:8000; got ""$/],
    ['an endpoint that is not http(s)', ['tables', 'verify', '--endpoint', 'ftp://127.0.0.1:1'], /--endpoint must be an http\(s\) URL/],
    ['an empty stream id', ['stream', 'show', ''], /streamId must be a non-empty string; got ""/],
    ['a stream id over 1 KB', ['stream', 'show', 'é'.repeat(513)], /streamId takes 1026 bytes in UTF-8; at most 1024/],
    ['a reserved stream id to prune', ['snapshots', 'prune', 'acc-1', '$$feed-shards', '--keep', '1'], /streamId must not start with "\$\$"/],
    ['an empty --prefix', ['feed', 'tail', '--prefix', ''], /--prefix needs a non-empty value$/],
    ['only commas in --types', ['feed', 'tail', '--types', ' , '], /--types needs one or more type names separated by commas; got " , "$/],
    ['a checkpoint at version 0', ['feed', 'tail', '--from', '1700000000000:0:acc-1'], /from must be a checkpoint given by the feed/],
    ['both --from and --since', ['feed', 'tail', '--from', '0', '--since', '1h'], /--from and --since cannot be used together$/],
    ['an age in years', ['feed', 'tail', '--since', '5y'], /--since must be an ISO 8601 time or an age such as 15m, 2h or 7d; got "5y"$/],
    ['an extra argument', ['projection', 'rebuild', 'a', 'b'], /projection rebuild takes one name/],
    ['prune without --keep nor snapshots.keep', ['snapshots', 'prune', 'acc-1'], /snapshots prune needs --keep N \(or snapshots.keep in the options\)$/],
    ['--yes without --drop-gsi', ['feed', 'migrate', '--yes'], /--yes confirms --drop-gsi; without it there is nothing to confirm$/],
    ['--drop-gsi with no terminal to ask on', ['feed', 'migrate', '--drop-gsi'], /0\.3 readers \(replayAll\$, projections, feed tail\) read the feed from it\. Nothing was done; with no terminal to ask on, confirm with --yes\.$/],
    ['no checkpoint to convert', ['feed', 'convert-checkpoint'], /feed convert-checkpoint needs one checkpoint; usage: nestjs-dynamo-es feed convert-checkpoint <checkpoint>/],
    ['a checkpoint of no feed', ['feed', 'convert-checkpoint', '12:0:acc-1'], /from must be a checkpoint given by the feed/],
  ])('refuses %s before sending anything: one line on stderr, exit code 2', async (_kind, args, reason) => {
    const result = await runCli(args, { env: { NESTJS_DYNAMO_ES_CONFIG: baseConfig, DYNAMODB_ENDPOINT: DEAD_ENDPOINT } });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatch(reason);
  });
});

describe('nestjs-dynamo-es: bad options in a JavaScript config', () => {
  it.each([
    ['a BigInt', 'export const options = { feed: { indexer: { pollIntervalMs: 200n } } };', /option `feed.indexer.pollIntervalMs` must be a whole number of milliseconds from 50 to 60000; got bigint \(in config-\d+\.mjs\)$/],
    ['a symbol', "export const options = { retry: { maxAttempts: Symbol('x') } };", /option `retry.maxAttempts` must be a whole number from 1 to 100; got symbol/],
    ['an array of options', 'export const options = [];', /options must be an object of module options$/],
  ])('refuses %s in a JavaScript config with the module\'s message and exit code 2', async (_kind, source, reason) => {
    const result = await runCli(['tables', 'verify', '--config', configs.write('mjs', source)], { env: { DYNAMODB_ENDPOINT: DEAD_ENDPOINT } });
    expect([result.code, result.errors]).toEqual([2, [expect.stringMatching(reason)]]);
  });
});
