/** What the test asks the warm writer to do; `id` pairs each answer with its question. */
export type ToWarmWriter =
  | { readonly id: number; readonly type: 'append'; readonly streamId: string; readonly expectedVersion: number | string; readonly count: number }
  | { readonly id: number; readonly type: 'read'; readonly streamId: string };

/** The warm writer's answer: what it appended or read, or the error's class, code and message. */
export type FromWarmWriter =
  | { readonly id: number; readonly ok: true; readonly version?: number; readonly versions?: number[] }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly code?: string; readonly message: string };
