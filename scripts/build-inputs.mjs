// What dist/ is built from, and a record of it: scripts/build.mjs writes the record once a build
// succeeds, and scripts/ensure-build.mjs compares it with the work tree to tell whether dist/ is
// stale. Contents, not modification times: a fresh clone, a checkout or a copy sets times that say
// nothing about what the last build read, while a content hash cannot be fooled.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The record of the last successful build: a hash per input file. Not in any shipped folder. */
const RECORD = join(root, 'dist', '.build-inputs.json');

/** The compiled folders (tsconfig.build.json and tsconfig.cjs.json), and the files that say how they compile. */
const SOURCE_FOLDERS = ['lib', 'sample', 'bench'];
// The lockfile too: a new TypeScript, or new typings of a dependency, can compile the same sources differently.
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.cjs.json', 'scripts/build.mjs', 'package-lock.json'];

/**
 * The files the build writes for these inputs: `dist/<path>.js` for each source, and `dist/cjs/...`
 * for the library but its CLI (tsconfig.cjs.json). One gone (a folder deleted by hand) makes dist/
 * stale whatever the record says.
 */
function outputFiles(inputs) {
  const sources = inputs.filter((file) => SOURCE_FOLDERS.some((folder) => file.startsWith(`${folder}/`)) && !file.endsWith('.d.ts'));
  return [
    'dist/cjs/package.json',
    ...sources.map((file) => `dist/${file.replace(/\.ts$/, '.js')}`),
    ...sources.filter((file) => file.startsWith('lib/') && !file.startsWith('lib/cli/')).map((file) => `dist/cjs/${file.slice('lib/'.length).replace(/\.ts$/, '.js')}`),
  ];
}

/** Every file the build reads, by path relative to the repository (with `/`), in a stable order. */
function inputFiles() {
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
      const path = `${folder}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      // Specs are excluded from both builds. (No source imports JSON; bench/results.json is the benchmark's output.)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) files.push(path);
    }
  };
  for (const folder of SOURCE_FOLDERS) if (existsSync(join(root, folder))) walk(folder);
  for (const file of CONFIG_FILES) if (existsSync(join(root, file))) files.push(file);
  return files.sort();
}

/** The hash of each input file's contents, as they are now. */
export function currentInputs() {
  const hashes = {};
  for (const file of inputFiles()) hashes[file] = createHash('sha256').update(readFileSync(join(root, file))).digest('hex');
  return hashes;
}

/** Records `inputs` (read when the build started) as what dist/ holds. */
export function recordBuild(inputs) {
  writeFileSync(RECORD, `${JSON.stringify({ inputs }, null, 1)}\n`);
}

/** Forgets the last build, before a new one changes dist/: a build cut short leaves no record. */
export function forgetBuild() {
  rmSync(RECORD, { force: true });
}

/**
 * Why dist/ does not hold a build of the work tree as it is (e.g. "lib/cli/run.ts changed since
 * the last build"), or undefined when it does.
 */
export function staleReason() {
  if (!existsSync(RECORD)) return existsSync(join(root, 'dist')) ? 'dist/ holds no record of a completed build (the last one failed or was cut short)' : 'dist/ does not exist yet';
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(RECORD, 'utf8')).inputs ?? {};
  } catch {
    return 'the record of the last build is unreadable';
  }
  const now = currentInputs();
  const changed = [
    ...Object.keys(now).filter((file) => recorded[file] !== now[file]),
    ...Object.keys(recorded).filter((file) => !(file in now)),
  ];
  if (changed.length === 0) {
    const missing = outputFiles(Object.keys(now)).find((file) => !existsSync(join(root, file)));
    return missing === undefined ? undefined : `${missing} is missing`;
  }
  const more = changed.length > 1 ? ` (and ${changed.length - 1} more file${changed.length === 2 ? '' : 's'})` : '';
  return `${changed[0]} ${changed[0] in now ? (changed[0] in recorded ? 'changed' : 'is new') : 'was removed'} since the last build${more}`;
}
