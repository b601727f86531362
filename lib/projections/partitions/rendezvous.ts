/**
 * A meeting point for a fixed number of parties (the partition runners of a rebuild): once every
 * party has arrived, `action` runs once and each arrival resolves with it. If a party fails
 * instead of arriving (`fail()`), or the action fails, every waiting and later arrival rejects.
 */
export class Rendezvous {
  private arrived = 0;
  private readonly done: Promise<void>;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly parties: number,
    private readonly action: () => Promise<void>,
  ) {
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    this.done.catch(() => undefined); // rejections reach the parties that wait
  }

  arrive(): Promise<void> {
    if (++this.arrived === this.parties) this.action().then(this.settle.resolve, this.settle.reject);
    return this.done;
  }

  fail(error: unknown): void {
    this.settle.reject(error);
  }
}
