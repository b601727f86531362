/**
 * A build of the module as it was at an earlier commit, loaded in the bench's own process to
 * compare a workload "before" and "now" in the same rounds (the lifecycle group: the cost of an
 * ordinary append before and after issue 13). The commit's lib/ is taken with `git archive` (the
 * checkout and its index are not touched), compiled with this checkout's TypeScript into a folder
 * under the OS temp dir, and kept there for the next run. Its node_modules is a link to this
 * checkout's, so both builds share one copy of Nest, cqrs and the AWS SDK.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The checkout: dist/bench/ is two levels below it. */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ReferenceBuild {
  /** The commit built, abbreviated. */
  readonly commit: string;
  /** Its dist/lib/index.js, as a file URL for import(). */
  readonly entry: string;
}

/** Builds `ref` (once per commit), or says why it cannot (no git, as in a tarball; a bad ref; a compile error). */
export function referenceBuild(ref: string): ReferenceBuild | { readonly unavailable: string } {
  const resolved = run('git', ['-C', ROOT, 'rev-parse', '--verify', '--short=12', `${ref}^{commit}`]);
  if (resolved.error !== undefined) return { unavailable: `git cannot resolve ${ref}: ${resolved.error}` };
  const commit = resolved.out.trim();
  const folder = join(tmpdir(), `nestjs-dynamo-es-bench-ref-${commit}`);
  const entry = join(folder, 'dist/lib/index.js');
  if (existsSync(entry)) return { commit, entry: pathToFileURL(entry).href };
  // Built in a folder of its own, then renamed: a run interrupted half-way leaves no half build to reuse.
  const staging = `${folder}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const archive = join(staging, 'source.tar');
    const steps: Array<[string, string[]]> = [
      ['git', ['-C', ROOT, 'archive', '--format=tar', '-o', archive, commit, 'lib', 'tsconfig.json']],
      ['tar', ['-xf', archive, '-C', staging]],
    ];
    for (const [command, args] of steps) {
      const step = run(command, args);
      if (step.error !== undefined) return { unavailable: `${command} ${args[0] === '-C' ? args[2] : args[0]} failed: ${step.error}` };
    }
    symlinkSync(join(ROOT, 'node_modules'), join(staging, 'node_modules'), 'dir');
    // ES modules, as the package's own dist/lib; no declarations or maps: only run, never read.
    writeFileSync(join(staging, 'package.json'), `${JSON.stringify({ type: 'module' })}\n`);
    const tsconfig = {
      extends: './tsconfig.json',
      compilerOptions: { rootDir: '.', outDir: 'dist', declaration: false, sourceMap: false, noEmitOnError: true },
      include: ['lib'],
      exclude: ['**/*.spec.ts'],
    };
    writeFileSync(join(staging, 'tsconfig.reference.json'), JSON.stringify(tsconfig));
    console.log(`Building ${commit} (for the "before" rows) in ${folder}...`);
    const compiled = run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(staging, 'tsconfig.reference.json')]);
    if (compiled.error !== undefined) return { unavailable: `tsc failed on ${commit}: ${compiled.error}` };
    rmSync(archive);
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
    return { commit, entry: pathToFileURL(entry).href };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function run(command: string, args: string[]): { out: string; error?: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined) return { out: '', error: result.error.message };
  if (result.status !== 0) return { out: result.stdout, error: (result.stderr || result.stdout || `exit ${result.status}`).trim().split('\n').slice(-3).join(' ') };
  return { out: result.stdout };
}
