import type { SubjectKey } from './subject-key.js';

/** A subject's state in the keys table, as read for one page: its key, or forgotten; absent when it has no item. */
export type SubjectKeyState = SubjectKey | 'forgotten';

/**
 * The keys a page of items needs, read from the keys table for that page (so that forgetting a
 * subject shows in every process at its next page): what the synchronous decoding opens sealed
 * values with. Attached to the items it was fetched for (see sealed-fields.ts).
 */
export class KeyRing {
  constructor(
    readonly keysTable: string,
    private readonly states: ReadonlyMap<string, SubjectKeyState>,
  ) {}

  /** The subject's key, 'forgotten', or undefined when the table has no item for it (a lost key). */
  stateOf(subjectId: string): SubjectKeyState | undefined {
    return this.states.get(subjectId);
  }
}
