// Runs before `npm test`: the tests that run the built CLI need dist/ as fresh as lib/. On a fresh
// clone (no dist/) or after editing lib/, builds first, so that `npm test` works on its own; when
// dist/ is already up to date (CI builds just before), does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = join(root, 'dist/lib/cli/main.js');

/** The newest modification time of the TypeScript sources below `folder`. */
function newestSource(folder) {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(built) || statSync(built).mtimeMs < newestSource(join(root, 'lib'))) {
  console.log('dist/ is missing or older than lib/: building first (`npm run build`)...');
  const { status } = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  process.exit(status ?? 1);
}
