/** Helpers of the compile tests in this folder (compiled by test/types.spec.ts, never run). */

/** True when A and B are the same type (not merely assignable one way). */
export type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** True when A and B are assignable to each other (`object & Opened` is the same as `Opened`). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Compiles only when given `true`: `assertType<Equals<X, Y>>(true)`. */
export declare function assertType<T extends true>(value: T): void;

/** Event classes of distinct shapes: TypeScript's types are structural, so look-alike classes would narrow alike. */
export class Opened {
  constructor(readonly owner: string) {}
}
export class Deposited {
  constructor(readonly deposited: number) {}
}
export class Withdrawn {
  constructor(readonly withdrawn: number) {}
}
