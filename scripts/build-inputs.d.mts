// Types of build-inputs.mjs, for the tests that check the build they run (test/support/built-cli.ts).

/** The repository's root folder. */
export declare const root: string;
/** The hash of each input file's contents, by path relative to the repository. */
export declare function currentInputs(): Record<string, string>;
/** Records `inputs` (read when the build started) as what dist/ holds. */
export declare function recordBuild(inputs: Record<string, string>): void;
/** Forgets the last build, before a new one changes dist/. */
export declare function forgetBuild(): void;
/** Why dist/ does not hold a build of the work tree as it is, or undefined when it does. */
export declare function staleReason(): string | undefined;
