/**
 * The package as consumers get it: `npm pack` (whose prepack runs the build), then the tarball
 * installed from the npm registry into a NestJS 11 CommonJS app and a NestJS 12 ES module app
 * (test/packaging/), each with its Terminus and the OpenTelemetry SDK, running a save/load/replay
 * round trip against the tests' DynamoDB (with a projection discovered among a module's providers,
 * a health check and traced appends), then the stream lifecycle (a soft delete, retention, the
 * purger, StreamDeleted in the feed) and crypto-shredding with a local key, without the optional
 * peer @aws-sdk/client-kms installed; and a TypeScript consumer compiled against the packed typings. Slow (a build and two npm installs: one to two minutes) and needs the npm
 * registry, as CI has.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteTables, testClientConfig, uniqueTableName } from './support/dynamodb.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(repo, 'test', 'packaging');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const MINUTE = 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; rejects with what it printed when it fails (or `check` is false: resolves anyway). */
function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number; check?: boolean }): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      if (code !== 0 && options.check !== false) {
        reject(new Error(`${file} ${args.join(' ')} (in ${options.cwd}) failed: ${error?.message}\n--- stdout\n${stdout.slice(-8000)}\n--- stderr\n${stderr.slice(-8000)}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

/**
 * The environment for a nested npm: this one's, registry settings included, less what `npm test`
 * sets about the repository's own package (its folder and scripts), which the temp apps are not.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if ((key.startsWith('npm_') && !key.startsWith('npm_config_')) || key === 'npm_config_local_prefix') delete env[key];
  }
  return env;
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface PackedFile {
  path: string;
}
interface PackageJson {
  main: string;
  types: string;
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
  peerDependencies: Record<string, string>;
}

/** Every file path a package.json entry point names (exports conditions, main, types, typesVersions). */
function entryPointFiles(pkg: PackageJson): string[] {
  const found: string[] = [pkg.main, pkg.types];
  const walk = (value: unknown): void => {
    if (typeof value === 'string') found.push(value);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(pkg.exports);
  walk(pkg.typesVersions);
  return found.map((path) => path.replace(/^\.\//, ''));
}

describe('the packed package', () => {
  const apps = ['nest11-cjs', 'nest12-esm'] as const;
  type App = (typeof apps)[number];
  const work = mkdtempSync(join(tmpdir(), 'nestjs-dynamo-es-packaging-'));
  const tablePrefixes: Record<App, string> = { 'nest11-cjs': `${uniqueTableName('packaging-nest11')}-`, 'nest12-esm': `${uniqueTableName('packaging-nest12')}-` };
  let packed: { filename: string; files: PackedFile[]; entryCount: number };

  beforeAll(async () => {
    // Build and pack a copy of the package's sources, so that the tarball holds exactly what a
    // fresh build of lib gives (no stale dist/), whatever else is being edited in the work tree.
    const source = join(work, 'package');
    for (const entry of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'scripts', 'lib']) {
      if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(source, entry), { recursive: true, filter: (path) => !path.endsWith('.spec.ts') });
    }
    symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'), 'dir');
    const pack = await run(npm, ['pack', '--json', '--pack-destination', work], { cwd: source, env: npmEnv(), timeoutMs: 4 * MINUTE });
    [packed] = JSON.parse(pack.stdout) as [typeof packed];

    // Both apps install the tarball (and their own Nest version) from the registry side by side.
    await Promise.all(
      apps.map(async (app) => {
        cpSync(join(fixtures, app), join(work, app), { recursive: true });
        for (const shared of readdirSync(fixtures).filter((name) => name.endsWith('.cjs'))) cpSync(join(fixtures, shared), join(work, app, shared));
        await run(npm, ['install', '--no-audit', '--no-fund', join(work, packed.filename)], { cwd: join(work, app), env: npmEnv(), timeoutMs: 4 * MINUTE });
      }),
    );
  }, 8 * MINUTE);

  afterAll(async () => {
    await deleteTables(...apps.flatMap((app) => [`${tablePrefixes[app]}events`, `${tablePrefixes[app]}projections`, `${tablePrefixes[app]}keys`]));
    rmSync(work, { recursive: true, force: true });
  });

  it('holds the ES module and CommonJS builds, each file an entry point names, and nothing from outside lib', () => {
    const files = packed.files.map((file) => file.path);
    const pkg = readJson<PackageJson>(join(work, 'nest11-cjs', 'node_modules', 'nestjs-dynamo-es', 'package.json'));
    for (const file of entryPointFiles(pkg)) expect(files).toContain(file);
    expect(files).toContain('dist/cjs/package.json');
    expect(readJson(join(work, 'nest11-cjs', 'node_modules', 'nestjs-dynamo-es', 'dist', 'cjs', 'package.json'))).toEqual({ type: 'commonjs' });
    expect(files.filter((file) => !/^dist\/(lib|cjs)\//.test(file)).sort()).toEqual(
      ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'],
    );
    expect(files.filter((file) => /\.spec\.|(^|\/)test\//.test(file))).toEqual([]);
    for (const name of ['@nestjs/common', '@nestjs/core', '@nestjs/cqrs']) expect(pkg.peerDependencies[name]).toBe('^11.0.0 || ^12.0.0');
  });

  it('ships each source map with the sources it maps to (lib/ is not in the package), and no declaration maps', () => {
    const installed = join(work, 'nest11-cjs', 'node_modules', 'nestjs-dynamo-es');
    const maps = packed.files.map((file) => file.path).filter((path) => path.endsWith('.map'));
    expect(maps).toContain('dist/lib/index.js.map');
    expect(maps).toContain('dist/cjs/index.js.map');
    expect(maps.filter((path) => path.endsWith('.d.ts.map'))).toEqual([]);
    const withoutSources = maps.filter((path) => {
      const { sources, sourcesContent } = readJson<{ sources: string[]; sourcesContent?: Array<string | null> }>(join(installed, path));
      return sourcesContent?.length !== sources.length || sourcesContent.some((content) => typeof content !== 'string' || content.length === 0);
    });
    expect(withoutSources).toEqual([]);
  });

  describe.each([
    { app: 'nest11-cjs' as const, nest: '11.', flavour: 'required' as const, build: 'dist/cjs' },
    { app: 'nest12-esm' as const, nest: '12.', flavour: 'imported' as const, build: 'dist/lib' },
  ])('in the $app app', ({ app, nest, flavour, build }) => {
    it(`installs beside NestJS ${nest}x, @nestjs/cqrs ${nest}x and @nestjs/terminus ${nest}x (the peer ranges allow both)`, () => {
      for (const name of ['common', 'core', 'cqrs', 'terminus']) {
        expect(readJson<{ version: string }>(join(work, app, 'node_modules', '@nestjs', name, 'package.json')).version.startsWith(nest)).toBe(true);
      }
    });

    it('saves, loads and replays events and an aggregate against DynamoDB, publishes them on the EventBus, projects, checks health and traces', async () => {
      const id = `p${Date.now().toString(36)}`;
      const env = { ...npmEnv(), CLIENT_CONFIG: JSON.stringify(testClientConfig()), TABLE_PREFIX: tablePrefixes[app], RUN_ID: id };
      const { stdout } = await run(process.execPath, ['main.js'], { cwd: join(work, app), env, timeoutMs: 2 * MINUTE });
      const result = JSON.parse(stdout.trim().split('\n').at(-1)!);

      expect(result.saved).toEqual({ version: 3, staleWrite: 'ConcurrencyError' });
      expect(result.loaded).toEqual([
        { version: 1, type: 'packaging.account-opened', instance: 'AccountOpened', accountId: id, owner: 'Ada' },
        { version: 2, type: 'packaging.money-deposited', instance: 'MoneyDeposited', accountId: id, amount: 100 },
        { version: 3, type: 'packaging.money-deposited', instance: 'MoneyDeposited', accountId: id, amount: 20 },
      ]);
      expect(result.replayed).toEqual([1, 2, 3]);
      expect(result.aggregate).toEqual({ instance: 'Account', owner: 'Grace', balance: 40, version: 2, uncommitted: 0 });
      expect(result.published).toEqual([20, 40, 100]);

      // The @Projection listed in a module's providers (no forFeature) was found and run, with that module's provider injected.
      const deposit = { type: 'packaging.money-deposited', instance: 'MoneyDeposited' };
      expect(result.projected).toEqual([
        { streamId: `account-${id}`, version: 2, ...deposit, amount: 40 },
        { streamId: `ledger-${id}`, version: 2, ...deposit, amount: 100 },
        { streamId: `ledger-${id}`, version: 3, ...deposit, amount: 20 },
      ]);

      // The health indicator of nestjs-dynamo-es/health, through Terminus's HealthCheckService.
      expect(result.health).toMatchObject({
        status: 'ok',
        details: {
          'event-sourcing': {
            status: 'up',
            dynamodb: {
              status: 'up',
              reachable: true,
              tables: { events: { name: `${tablePrefixes[app]}events`, matches: true }, projections: { name: `${tablePrefixes[app]}projections`, matches: true } },
            },
            projections: { status: 'up', projections: { 'packaging-deposits': { state: expect.stringMatching(/^(live|catching-up)$/) } } },
            feedIndexer: { status: 'up', state: expect.stringMatching(/^(indexing|reconciling)$/) },
          },
        },
      });

      // Spans from the tracer provider given as the module's telemetry option (the package loaded @opentelemetry/api itself).
      expect(result.traced.appends).toEqual([
        { streamId: `ledger-${id}`, eventCount: 2, expectedVersion: 'no-stream', error: null },
        { streamId: `ledger-${id}`, eventCount: 1, expectedVersion: '2', error: null },
        { streamId: `ledger-${id}`, eventCount: 1, expectedVersion: '2', error: 'ConcurrencyError' },
        { streamId: `account-${id}`, eventCount: 2, expectedVersion: 'no-stream', error: null },
      ]);
      expect(result.traced.spanNames).toEqual(
        expect.arrayContaining(['nestjs-dynamo-es append', 'nestjs-dynamo-es commit write', 'nestjs-dynamo-es read', 'nestjs-dynamo-es replay page', 'nestjs-dynamo-es aggregate save', 'nestjs-dynamo-es aggregate load']),
      );

      // The lifecycle (lifecycle.cjs, a second app on the same tables). A soft delete: the stream reads as empty.
      const { lifecycle } = result;
      const notes = `notes-${id}`;
      expect(lifecycle.deleted).toEqual({
        report: {
          operation: 'stream.delete',
          streamId: notes,
          mode: 'soft',
          actions: expect.arrayContaining([expect.objectContaining({ what: 'tombstone-written', count: 1 })]),
          timed: true,
          notes: true,
        },
        read: 0,
        metadata: { truncateBefore: 4, deleted: { mode: 'soft', version: 2, at: expect.any(String) } },
      });
      // maxCount: 2 of 5 events read; the StreamPurger provider then deletes the 3 others (after its fence).
      expect(lifecycle.retention).toEqual({
        metadata: { maxCount: 2 },
        kept: [
          { version: 4, text: '4' },
          { version: 5, text: '5' },
        ],
        purger: true,
        purge: { operation: 'streams.purge', actions: expect.arrayContaining([{ what: 'events-deleted', count: 3 }]), timed: true, notes: true },
        afterPurge: [4, 5],
      });
      // Crypto-shredding with a local key: plain, then the subject forgotten, redacted (the subject id stays).
      expect(lifecycle.shredded).toEqual({
        before: { instance: 'CustomerRegistered', email: 'ada@example.com' },
        report: { operation: 'subject.forget', subject: id, actions: expect.arrayContaining([{ what: 'data-key-deleted', count: 1 }]), timed: true, notes: true },
        after: { instance: 'CustomerRegistered', customerId: id, email: '[redacted]', redacted: true },
      });
      // The deletion reached the @ProjectionHandler(StreamDeleted), and replayAll with eventTypes: [StreamDeleted].
      const deletion = { instance: 'StreamDeleted', mode: 'soft', deletedVersion: 2 };
      expect(lifecycle.projected).toEqual([{ streamId: notes, ...deletion }]);
      expect(lifecycle.replayedDeletions).toEqual([deletion]);

      // The optional peer @aws-sdk/client-kms is not installed here (npm leaves optional peers out), so nothing could load it.
      expect(existsSync(join(work, app, 'node_modules', '@aws-sdk', 'client-kms'))).toBe(false);
      expect(result.kms).toEqual({ resolvable: false, loaded: [] });

      // The app's own module system picked its build; the other one resolves too, with the same exports.
      const entryPoints = [
        {
          entry: 'nestjs-dynamo-es',
          dir: '',
          some: ['DynamoEventSourcingModule', 'EventStore', 'AggregateRepository', 'ConcurrencyError', 'Projection', 'isEvent', 'StreamDeleted', 'StreamPurger', 'PersonalData', 'DataSubject', 'REDACTED', 'StreamDeletedError'],
        },
        { entry: 'nestjs-dynamo-es/testing', dir: 'testing/', some: ['EmbeddedDynamoDb', 'localClientConfig'] },
        { entry: 'nestjs-dynamo-es/health', dir: 'health/', some: ['DynamoEventSourcingHealthModule', 'DynamoEventSourcingHealthIndicator'] },
        { entry: 'nestjs-dynamo-es/lambda', dir: 'lambda/', some: ['createFeedIndexerHandler', 'createProjectionsHandler', 'createEventHandlersHandler'] },
      ];
      for (const { entry, dir, some } of entryPoints) {
        const { required, imported } = result.flavours[entry];
        expect({ entry, file: (flavour === 'required' ? required : imported).file }).toEqual({ entry, file: join(work, app, 'node_modules', 'nestjs-dynamo-es', build, `${dir}index.js`) });
        expect(required.exports).toEqual(imported.exports);
        expect(required.exports).toEqual(expect.arrayContaining(some));
      }
    }, 3 * MINUTE);

    it('imports the main entry, in both module systems, without loading the optional peer @aws-sdk/client-kms even where it is installed', async () => {
      // A stand-in for the peer that fails whoever loads it: the main entry must load it only where KMS wrapping is used.
      const fake = join(work, app, 'node_modules', '@aws-sdk', 'client-kms');
      mkdirSync(fake, { recursive: true });
      try {
        writeFileSync(join(fake, 'package.json'), JSON.stringify({ name: '@aws-sdk/client-kms', version: '3.0.0', main: 'index.js' }));
        writeFileSync(join(fake, 'index.js'), "throw new Error('@aws-sdk/client-kms was loaded');\n");
        const probe = [
          "const load = (how) => how().then(() => 'loaded', (error) => error.message);",
          "Promise.all([load(async () => require('nestjs-dynamo-es')), load(() => import('nestjs-dynamo-es')), load(() => import('@aws-sdk/client-kms'))])",
          '  .then((results) => console.log(JSON.stringify(results)));',
        ].join('\n');
        const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', probe], { cwd: join(work, app), timeoutMs: MINUTE });
        // The stand-in is found and fails when loaded (so the first two would have failed had they loaded it).
        expect(JSON.parse(stdout.trim())).toEqual(['loaded', 'loaded', '@aws-sdk/client-kms was loaded']);
      } finally {
        rmSync(fake, { recursive: true, force: true });
      }
    });

    it('compiles a TypeScript consumer against the packed typings, checking them too (skipLibCheck off)', async () => {
      // Nest-style settings (test/packaging/<app>/tsconfig.json), plus Node's types from this repository.
      const strict = ['-p', 'tsconfig.json', '--skipLibCheck', 'false', '--types', 'node', '--typeRoots', join(repo, 'node_modules', '@types')];
      const variants = [strict];
      // Older CommonJS projects ("module": "commonjs", no moduleResolution) find `./testing` without `exports`
      // (through typesVersions); only resolution differs there, so the declarations are not checked again.
      if (app === 'nest11-cjs') variants.push(['-p', 'tsconfig.json', '--module', 'commonjs', '--moduleResolution', 'node10', '--ignoreDeprecations', '6.0']);
      for (const args of variants) {
        const { stdout } = await run(process.execPath, [tsc, ...args], { cwd: join(work, app), timeoutMs: 2 * MINUTE, check: false });
        // Other packages' declarations are theirs to keep compiling; ours, the consumer and the settings must.
        const errors = stdout.split('\n').filter((line) => /error TS/.test(line) && (!line.startsWith('node_modules/') || line.startsWith('node_modules/nestjs-dynamo-es/')));
        expect({ args: args.join(' '), errors }).toEqual({ args: args.join(' '), errors: [] });
      }
    }, 3 * MINUTE);
  });
});
