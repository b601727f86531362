import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { DynamoEventSourcingModuleOptions } from '../../lib/index.js';

/** The library as in-process tests load it (jest compiles the sources), and as the built CLI does. */
export const SOURCE_LIB = resolve('lib/index.ts');
export const BUILT_LIB = resolve('dist/lib/index.js');
/** The CommonJS build, which require() loads: a copy of the module other than the (ES module) CLI's. */
export const BUILT_CJS_LIB = resolve('dist/cjs/index.js');

/** Where the fixture's projection records what it handled: shared with the test when run in-process. */
export const FIXTURE_RECORDER = Symbol.for('nestjs-dynamo-es:cli-fixture-recorder');

export interface FixtureRecorder {
  handled: string[];
  resets: number;
  /** While set, the handler waits for it after recording an event: holds a rebuild mid-way. */
  gate?: Promise<void>;
}

/** The recorder of in-process runs, emptied. */
export function fixtureRecorder(): FixtureRecorder {
  const holder = globalThis as unknown as Record<symbol, FixtureRecorder | undefined>;
  holder[FIXTURE_RECORDER] ??= { handled: [], resets: 0 };
  const recorder = holder[FIXTURE_RECORDER];
  recorder.handled.length = 0;
  recorder.resets = 0;
  recorder.gate = undefined;
  return recorder;
}

/** A temporary directory for config files, removed by `cleanup()`. */
export class ConfigDirectory {
  readonly path = mkdtempSync(join(tmpdir(), 'nestjs-dynamo-es-cli-'));
  private count = 0;

  /** Writes a JSON config file and returns its path. */
  json(content: unknown): string {
    return this.write('json', JSON.stringify(content, null, 2));
  }

  /** Writes a file with the given extension and text. */
  write(extension: string, text: string): string {
    const file = join(this.path, `config-${++this.count}.${extension}`);
    writeFileSync(file, text);
    return file;
  }

  /**
   * Writes a .mjs config exporting `options` and an `app` with one rebuildable projection named
   * `projection` (AccountOpened and MoneyDeposited events, recorded as `stream@version` in the
   * {@link FixtureRecorder}, whose gate can hold it). Plain JavaScript, decorators applied as
   * functions, importing the library from `lib` (the sources in-process, the build for a spawned
   * CLI), so the app shares the CLI's copy of the module either way; or, as `cjs`, requiring the
   * CommonJS build, as an app compiled to CommonJS (NestJS 11) does. The app is written as README
   * says: the projection among the module's providers, no list of event classes (their
   * `@EventType` is enough); `form: 'forFeature'` writes it in the 0.4 form instead
   * (`forFeature({ projections })`, events listed in the options).
   */
  projectionApp(
    lib: string,
    projection: string,
    options: DynamoEventSourcingModuleOptions,
    format: 'mjs' | 'cjs' = 'mjs',
    form: 'providers' | 'forFeature' = 'providers',
  ): string {
    const names = '{ DynamoEventSourcingModule, EventType, Projection, ProjectionHandler }';
    return this.write(
      format,
      `${format === 'mjs' ? `import ${names} from ${JSON.stringify(lib)};` : `const ${names} = require(${JSON.stringify(lib)});`}

class AccountOpened {}
EventType('AccountOpened')(AccountOpened);
class MoneyDeposited {}
EventType('MoneyDeposited')(MoneyDeposited);

const recorder = (globalThis[Symbol.for('nestjs-dynamo-es:cli-fixture-recorder')] ??= { handled: [], resets: 0 });

class LedgerProjection {
  on(event, envelope) {
    recorder.handled.push(envelope.streamId + '@' + envelope.version);
    return recorder.gate;
  }
  reset() {
    recorder.resets++;
    recorder.handled.length = 0;
  }
}
ProjectionHandler(AccountOpened, MoneyDeposited)(LedgerProjection.prototype, 'on', Object.getOwnPropertyDescriptor(LedgerProjection.prototype, 'on'));
Projection(${JSON.stringify(projection)}, { pageSize: 2, leaseTtlMs: 60000 })(LedgerProjection);

class LedgerModule {}

${
        form === 'providers'
          ? `const options = ${JSON.stringify(options)};
const app = { module: LedgerModule, providers: [LedgerProjection] };`
          : `const options = { ...${JSON.stringify(options)}, events: [AccountOpened, MoneyDeposited] };
const app = { module: LedgerModule, imports: [DynamoEventSourcingModule.forFeature({ projections: [LedgerProjection] })] };`
      }
${format === 'mjs' ? 'export { options, app };' : 'module.exports = { options, app };'}
`,
    );
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}
