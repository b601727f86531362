import { staleReason } from '../../scripts/build-inputs.mjs';

/**
 * For the tests that run the built CLI (dist/lib/cli/main.js): fails with the reason when dist/ is
 * not a build of the sources as they are, rather than testing old code. test/global-setup.ts builds
 * it before any run that includes such a spec; this catches a build that failed, or sources edited since.
 */
export function assertBuildIsCurrent(): void {
  const reason = staleReason();
  if (reason !== undefined) {
    throw new Error(`The built CLI would not be the code under test: ${reason}. test/global-setup.ts builds dist/ before a run of this file; \`npm run build\` shows why a build fails.`);
  }
}
