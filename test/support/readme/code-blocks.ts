import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** How a README block is checked: as a file of its own, or as the body of a function (`<!-- readme: fragment -->`). */
export type CodeBlockMode = 'module' | 'fragment' | 'skip';

/** One fenced TypeScript block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository (`README.md`). */
  readonly file: string;
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The block's text, without its fences. */
  readonly code: string;
  readonly mode: CodeBlockMode;
  /** Why a skipped block is not checked (`<!-- readme: skip: <reason> -->`). */
  readonly skipReason?: string;
}

const FENCE = /^```(\S*)\s*$/;
const TYPESCRIPT = new Set(['ts', 'typescript']);
const MARKER = /^<!--\s*readme:\s*(fragment|skip)(?::\s*(.*?))?\s*-->$/;

/**
 * The ```ts blocks of a Markdown file, each with the line of its fence and how to check it: the
 * line right before the fence may mark it `<!-- readme: fragment -->` (checked inside a function
 * body) or `<!-- readme: skip: <reason> -->` (not checked; the reason is required).
 */
export function extractCodeBlocks(path: string, repo: string): CodeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const file = relative(repo, path);
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const end = lines.findIndex((line, j) => j > i && line.trimEnd() === '```');
    if (end === -1) throw new Error(`${file}:${i + 1}: a code block that is never closed`);
    if (TYPESCRIPT.has(open[1]!)) {
      const marker = MARKER.exec((lines[i - 1] ?? '').trim());
      const mode = (marker?.[1] as CodeBlockMode | undefined) ?? 'module';
      if (mode === 'skip' && !marker?.[2]) throw new Error(`${file}:${i}: <!-- readme: skip --> needs a reason: <!-- readme: skip: why -->`);
      blocks.push({ file, line: i + 1, code: lines.slice(i + 1, end).join('\n'), mode, skipReason: mode === 'skip' ? marker![2] : undefined });
    }
    i = end; // a fence inside a block (```js in a ```md, say) is its text, not a block
  }
  return blocks;
}
