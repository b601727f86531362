import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/**
 * The modules a file loads when it is imported, as the compiler emits it: static imports and
 * re-exports that survive compilation (type-only ones, and imports used only as types, are
 * dropped, as in the build); `import()` expressions are not followed (they load on demand).
 */
function staticImportsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, emitDecoratorMetadata: true, isolatedModules: true },
  });
  const emitted = ts.createSourceFile(file.replace(/\.ts$/, '.js'), outputText, ts.ScriptTarget.ES2022);
  const specifiers: string[] = [];
  for (const statement of emitted.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers;
}

/** Every package a module loads on import, through its relative imports, with the chain that reaches it. */
function packagesLoadedBy(entry: string): Map<string, string[]> {
  const packages = new Map<string, string[]>();
  const seen = new Set<string>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    const path = [...chain, relative(root, file)];
    for (const specifier of staticImportsOf(file)) {
      if (specifier.startsWith('.')) {
        const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
        if (!existsSync(target)) throw new Error(`${relative(root, file)} imports ${specifier}, which is not a source file here`);
        walk(target, path);
      } else if (!packages.has(specifier)) {
        packages.set(specifier, path);
      }
    }
  };
  walk(entry, []);
  return packages;
}

describe('nestjs-dynamo-es/lambda', () => {
  it('loads no NestJS when imported (a feed indexer function bundles the AWS SDK and the indexer only)', () => {
    const packages = packagesLoadedBy(join(here, 'index.ts'));
    // The walk sees the AWS SDK (the indexer needs it): it does follow the imports.
    expect([...packages.keys()].some((name) => name.startsWith('@aws-sdk/'))).toBe(true);
    const nest = [...packages].filter(([name]) => name.startsWith('@nestjs/') || name === 'reflect-metadata' || name === 'rxjs');
    expect(nest.map(([name, chain]) => `${name} <- ${chain.join(' <- ')}`)).toEqual([]);
  });
});
