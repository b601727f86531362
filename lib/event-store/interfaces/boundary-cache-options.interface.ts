/**
 * How far an `EventStore` trusts what it has seen of a stream's end (see README, "How the
 * concurrency check works"). An append at a numeric expected version v needs v to end a stored
 * commit; a version this process wrote or read recently is taken as known, anything else costs one
 * strongly consistent head read (1 read unit for items up to 4 KB).
 */
export interface BoundaryCacheOptions {
  /**
   * Milliseconds after a read or write of this process last saw a commit end during which appends
   * trust it without reading the stream's head. Default 5000. Only an item deleted, lost or
   * restored outside the module can make a trusted end wrong, and only within this window.
   */
  trustMs?: number;
  /** Streams whose ends are remembered (the oldest learned is forgotten first). Default 10,000. */
  maxStreams?: number;
}
