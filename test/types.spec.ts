import { describe, expect, it } from '@jest/globals';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The compile tests of test/types/: one file that must compile (the typings accept what they
 * should, and hand out the types they promise), one whose lines marked `@ts-expect-error` must
 * each be refused. TypeScript reports a `@ts-expect-error` that finds no error, so no diagnostic
 * at all proves both: a typing loosened or broken fails here, naming the line.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = ['typed-events.ts', 'typed-events.errors.ts', 'aggregate-registrations.ts'].map((file) => join(root, 'test', 'types', file));

/** The repo's compiler options (tsconfig.json), without emitting anything. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), { noEmit: true }, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    },
  });
  return parsed!.options;
}

function describeDiagnostic(diagnostic: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  ');
  if (diagnostic.file === undefined || diagnostic.start === undefined) return message;
  const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${diagnostic.file.fileName.slice(root.length + 1)}:${line + 1}: ${message}`;
}

describe('typings (test/types)', () => {
  it('compile with the repo\'s compiler options: what must compile does, every @ts-expect-error line is refused', () => {
    // One program for both files: the library's sources are checked once.
    const program = ts.createProgram(files, compilerOptions());
    // Only these files are checked (the library's own diagnostics are tsc's business): far faster than the whole program.
    const diagnostics = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...files.flatMap((file) => {
        const source = program.getSourceFile(file)!;
        return [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
      }),
    ];
    expect(diagnostics.map(describeDiagnostic)).toEqual([]);
    // The files really were compiled, and the must-fail one holds its expectations.
    expect(files.every((file) => program.getSourceFile(file) !== undefined)).toBe(true);
    expect(program.getSourceFile(files[1]!)!.text.match(/@ts-expect-error/g)!.length).toBeGreaterThanOrEqual(15);
  });
});
