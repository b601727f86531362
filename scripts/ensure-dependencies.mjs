// Runs before `npm start` and `npm test`: on a fresh clone, installs the locked dependencies
// first, so that the quickstart is two commands. Does nothing once node_modules is there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  console.log('First run: installing dependencies with `npm ci`...');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const { status } = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  process.exit(status ?? 1);
}
