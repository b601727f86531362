/** Where an event being rebuilt was read from: handed to {@link EventSerializer.deserialize}. */
export interface EventDeserializationContext {
  /** The event's registered type name (the current one, even when it was stored under an alias). */
  readonly eventType: string;
  readonly streamId: string;
  readonly version: number;
}

/**
 * Turns events of one class into JSON data and back, for classes plain JSON cannot carry (Dates
 * that must come back as Dates, Maps, value objects, private fields...).
 *
 * ```ts
 * const serializer: EventSerializer<PriceChanged, { sku: string; at: string; prices: [string, number][] }> = {
 *   serialize: (e) => ({ sku: e.sku, at: e.at.toISOString(), prices: [...e.prices] }),
 *   deserialize: (d) => new PriceChanged(d.sku, new Date(d.at), new Map(d.prices)),
 * };
 * ```
 *
 * Upcasters run on the stored data before `deserialize`, so `deserialize` only ever sees data of the
 * class's current revision.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface EventSerializer<TEvent extends object = any, TData extends object = Record<string, any>> {
  /** The event as a JSON object (checked like any payload: no Maps, BigInts, cycles...). */
  serialize(event: TEvent): TData;
  /** Rebuilds the event from what `serialize` returned (after upcasting). Must return an object. */
  deserialize(data: TData, context: EventDeserializationContext): TEvent;
}
