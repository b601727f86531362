import { join } from 'node:path';
import ts from 'typescript';
import type { CodeBlock } from './code-blocks.js';

/** The package's entry points, compiled from lib/ (a `.d.ts`-free check of what README shows). */
const ENTRY_POINTS: Record<string, string> = {
  'nestjs-dynamo-es': 'lib/index.ts',
  'nestjs-dynamo-es/testing': 'lib/testing/index.ts',
  'nestjs-dynamo-es/lambda': 'lib/lambda/index.ts',
  'nestjs-dynamo-es/health': 'lib/health/index.ts',
};

/** A block as a file of the program: its text and, per line of it, the line of the Markdown file. */
interface BlockSource {
  readonly block: CodeBlock;
  readonly fileName: string;
  readonly text: string;
  readonly markdownLines: number[];
}

/** A block's compile errors, each `README.md:123: TS2304 Cannot find name 'x'.` */
export type BlockErrors = Map<CodeBlock, string[]>;

/**
 * Type-checks README blocks, each as a module of its own, in one program: the repository's
 * compiler options plus `isolatedModules` and `verbatimModuleSyntax` (type-only imports must say
 * `type`), with the package's entry points mapped to lib/. The blocks are virtual files of
 * `appDir`, so that `./events.js` in a block is the fixture `<appDir>/events.ts`: what an app
 * would have beside the file the block shows.
 */
export function typeCheckBlocks(blocks: readonly CodeBlock[], repo: string, appDir: string): BlockErrors {
  const { config } = ts.readConfigFile(join(repo, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const { options: base } = ts.parseJsonConfigFileContent(config, ts.sys, repo);
  const options: ts.CompilerOptions = {
    ...base,
    noEmit: true,
    declaration: false,
    sourceMap: false,
    outDir: undefined,
    rootDir: undefined,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    moduleDetection: ts.ModuleDetectionKind.Force,
    paths: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, file]) => [name, [join(repo, file)]])),
  };

  const sources = blocks.map((block) => toSource(block, appDir));
  const byName = new Map(sources.map((source) => [source.fileName, source]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (name) => byName.has(name) || fileExists.call(host, name);
  host.readFile = (name) => byName.get(name)?.text ?? readFile.call(host, name);
  host.getSourceFile = (name, language, onError, create) => {
    const source = byName.get(name);
    return source === undefined ? getSourceFile.call(host, name, language, onError, create) : ts.createSourceFile(name, source.text, language, true);
  };
  const program = ts.createProgram({ rootNames: [...byName.keys()], options, host });

  const errors: BlockErrors = new Map();
  for (const source of sources) {
    const file = program.getSourceFile(source.fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    errors.set(
      source.block,
      diagnostics.map((diagnostic) => {
        const { line } = file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
        return `${source.block.file}:${source.markdownLines[line] ?? source.block.line}: TS${diagnostic.code} ${message}`;
      }),
    );
  }
  return errors;
}

function toSource(block: CodeBlock, appDir: string): BlockSource {
  const fileName = join(appDir, `${block.file.replace(/[^A-Za-z0-9]+/g, '-')}-line-${block.line}.ts`);
  const lines = block.code.split('\n');
  const markdownLine = (index: number) => block.line + 1 + index;
  if (block.mode !== 'fragment') return { block, fileName, text: block.code, markdownLines: lines.map((_, i) => markdownLine(i)) };

  // A fragment: its imports stay at the top, the rest becomes the body of an async function.
  const imports: number[] = [];
  const body: number[] = [];
  let inImport = false;
  lines.forEach((line, index) => {
    if (/^import\s/.test(line)) inImport = true;
    (inImport ? imports : body).push(index);
    if (inImport && /(^import\s+['"]|\bfrom\s+['"][^'"]+['"])\s*;?\s*$/.test(line)) inImport = false;
  });
  const text = [...imports.map((i) => lines[i]), 'export async function readmeFragment(): Promise<void> {', ...body.map((i) => lines[i]), '}'].join('\n');
  const markdownLines = [...imports.map(markdownLine), block.line, ...body.map(markdownLine), block.line + lines.length + 1];
  return { block, fileName, text, markdownLines };
}
