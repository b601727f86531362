// After `npm install`: drops optional dependencies that the lock file names but does not hold.
// The npm registry mirror this project is built against lacks some platform-only binaries
// (e.g. @unrs/resolver-binding-android-*); `npm install` then leaves them out of the lock file,
// and `npm ci` refuses the file. Removing the dangling names makes `npm ci` work again.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** Whether `name` resolves from the package at `from`, walking up node_modules folders as Node does. */
function resolves(from, name) {
  for (let base = from; ; ) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    if (!base) return false;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent >= 0 ? base.slice(0, parent) : '';
  }
}

let removed = 0;
for (const [from, entry] of Object.entries(packages)) {
  for (const name of Object.keys(entry.optionalDependencies ?? {})) {
    if (!resolves(from, name)) {
      delete entry.optionalDependencies[name];
      removed++;
    }
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`prune-lockfile: removed ${removed} unavailable optional dependencies`);
