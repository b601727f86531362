import type { EventSerializer } from '../../../../lib/index.js';

/** As README's "Event types, serialization and upcasting" shows it. */
export class PriceListPublished {
  constructor(readonly at: Date, readonly prices: Map<string, number>) {}
}

export const priceLists: EventSerializer<PriceListPublished, { at: string; prices: [string, number][] }> = {
  serialize: (event) => ({ at: event.at.toISOString(), prices: [...event.prices] }),
  deserialize: (data) => new PriceListPublished(new Date(data.at), new Map(data.prices)),
};
