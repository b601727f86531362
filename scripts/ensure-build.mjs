// Before `npm start`, `npm run demo`, `npm run bench`, and jest runs that include the specs running
// the built CLI (test/global-setup.ts): builds unless dist/ already holds a build of the sources as
// they are, so that each of these works first on a fresh clone, after any other, and after an edit,
// and costs nothing when nothing changed.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { root, staleReason } from './build-inputs.mjs';

const reason = staleReason();
if (reason !== undefined) {
  console.log(`Building first (\`npm run build\`): ${reason}...`);
  const started = performance.now();
  const { status } = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
  console.log(`Built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
