/**
 * README's TypeScript examples compile as shown: every ```ts block of README.md and
 * sample/README.md is type-checked as a module of its own (isolatedModules, verbatimModuleSyntax),
 * against lib/ under the package's own entry-point names. What a block imports from `./x.js` (the
 * app's own files: its events, an aggregate, a read model) comes from test/support/readme/app/.
 * A block marked `<!-- readme: fragment -->` is checked as the body of a function; one marked
 * `<!-- readme: skip: <reason> -->` is counted and listed, not checked. A few blocks of a Markdown
 * file of this test's own go through the same program, to show that a broken block fails, naming
 * its line.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { extractCodeBlocks, type CodeBlock } from './support/readme/code-blocks.js';
import { typeCheckBlocks, type BlockErrors } from './support/readme/type-check-blocks.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const markdownFiles = ['README.md', 'sample/README.md'].map((file) => join(repo, file)).filter((path) => existsSync(path));
const blocks = markdownFiles.flatMap((path) => extractCodeBlocks(path, repo));
const checked = blocks.filter((block) => block.mode !== 'skip');
const skipped = blocks.filter((block) => block.mode === 'skip');

/** Blocks the checker must pass and fail: fragments, a wrong type, an import that should say `type`, a skip. */
const SELF_TEST = [
  '# self-test', // line 1
  '<!-- readme: fragment -->',
  '```ts',
  "import { NO_STREAM, type EventStore } from 'nestjs-dynamo-es';",
  'const store = {} as EventStore;',
  "await store.append('account-1', [], { expectedVersion: NO_STREAM });", // line 6: await is fine in a fragment
  '```',
  '```ts',
  "import { EventStore } from 'nestjs-dynamo-es';",
  'export const version: number = EventStore.name;', // line 10: a string is no number
  '```',
  '```ts',
  "import { EventEnvelope } from 'nestjs-dynamo-es';", // line 13: a type imported without `type`
  'export type Any = EventEnvelope;',
  '```',
  '<!-- readme: fragment -->',
  '```ts',
  "import type { EventStore } from 'nestjs-dynamo-es';",
  'const store = {} as EventStore;',
  "store.apend('account-1');", // line 20: the error's line, through the function wrapper
  '```',
  '<!-- readme: skip: shows a shell session -->',
  '```ts',
  'not TypeScript at all',
  '```',
].join('\n');

describe('README code blocks', () => {
  const selfTestDir = mkdtempSync(join(tmpdir(), 'readme-self-test-'));
  writeFileSync(join(selfTestDir, 'SELF-TEST.md'), SELF_TEST);
  const selfTest = extractCodeBlocks(join(selfTestDir, 'SELF-TEST.md'), selfTestDir);
  let errors: BlockErrors;

  beforeAll(() => {
    const started = Date.now();
    errors = typeCheckBlocks([...checked, ...selfTest.filter((block) => block.mode !== 'skip')], repo, join(repo, 'test', 'support', 'readme', 'app'));
    console.log(
      `README: ${checked.length} TypeScript blocks type-checked in ${Date.now() - started} ms (one program); ${skipped.length} skipped` +
        skipped.map((block) => `\n  ${block.file}:${block.line}: ${block.skipReason}`).join(''),
    );
  });
  afterAll(() => rmSync(selfTestDir, { recursive: true, force: true }));

  it('finds the examples (the extractor reads the fences)', () => {
    expect(checked.length).toBeGreaterThanOrEqual(30);
  });

  it('skips hardly any, each with its reason', () => {
    expect(skipped.length).toBeLessThanOrEqual(2);
  });

  it('checks fragments in a function body, fails a broken block naming its line and error, and leaves skipped ones out', () => {
    expect(selfTest.map(({ line, mode, skipReason }) => ({ line, mode, skipReason }))).toEqual([
      { line: 3, mode: 'fragment', skipReason: undefined },
      { line: 8, mode: 'module', skipReason: undefined },
      { line: 12, mode: 'module', skipReason: undefined },
      { line: 17, mode: 'fragment', skipReason: undefined },
      { line: 23, mode: 'skip', skipReason: 'shows a shell session' },
    ]);
    expect(errors.get(selfTest[0]!)).toEqual([]);
    expect(errors.get(selfTest[1]!)).toEqual(["SELF-TEST.md:10: TS2322 Type 'string' is not assignable to type 'number'."]);
    expect(errors.get(selfTest[2]!)).toEqual([
      expect.stringMatching(/^SELF-TEST\.md:13: TS1484 'EventEnvelope' is a type and must be imported using a type-only import when 'verbatimModuleSyntax' is enabled\.$/),
    ]);
    expect(errors.get(selfTest[3]!)).toEqual([
      expect.stringMatching(/^SELF-TEST\.md:20: TS2551 Property 'apend' does not exist on type 'EventStore'\./),
    ]);
    expect(errors.has(selfTest[4]!)).toBe(false);
  });

  it.each(checked.map((block): [string, CodeBlock] => [`${block.file}:${block.line}`, block]))('the block at %s compiles as shown', (_, block) => {
    expect(errors.get(block)).toEqual([]);
  });
});
