/** Where a stored event being upcast comes from: handed to each {@link EventUpcaster}. */
export interface UpcastContext {
  /** The event's registered type name (the current one, even when it was stored under an alias). */
  readonly eventType: string;
  /** The revision the data is at; the upcaster returns it at `fromRevision + 1`. */
  readonly fromRevision: number;
  readonly streamId: string;
  readonly version: number;
}

/**
 * Upgrades the stored JSON data of an event by one schema revision. Pure and synchronous: it runs
 * on every read of an older event (nothing is rewritten in the table).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type EventUpcaster = (data: Record<string, any>, context: UpcastContext) => object;

/**
 * Upcasters keyed by the revision they upgrade from: `{ 1: (v1) => v2, 2: (v2) => v3 }` for a class
 * at revision 3. A class at revision `n > 1` needs one for each of `1 .. n-1`.
 */
export type EventUpcasters = Readonly<Record<number, EventUpcaster>>;
