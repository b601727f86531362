// `npm run build` (and `npm pack`, through prepack): the ES module build of lib, sample and bench
// into dist/, and a CommonJS build of lib into dist/cjs for require() consumers (NestJS 11 apps).
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { currentInputs, forgetBuild, recordBuild } from './build-inputs.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

// What this build reads, taken before it starts: a file edited while tsc runs makes the next
// `npm start` or `npm test` build again. No record until the build has succeeded.
const inputs = currentInputs();
forgetBuild();

// The shipped folders start empty, so that a source file removed since the last build does not ship.
for (const folder of ['dist/lib', 'dist/cjs']) rmSync(new URL(`../${folder}/`, import.meta.url), { recursive: true, force: true });

/** Runs tsc on one project; resolves to its exit code. */
function compile(project) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', project], { cwd: root, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// The two builds share nothing: run them side by side.
const codes = await Promise.all([compile('tsconfig.build.json'), compile('tsconfig.cjs.json')]);
if (codes.some((code) => code !== 0)) process.exit(1);

// The root package.json says "type": "module"; this one makes Node load dist/cjs/**/*.js as CommonJS
// (and TypeScript read its .d.ts files as CommonJS declarations).
mkdirSync(new URL('../dist/cjs/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

recordBuild(inputs);
