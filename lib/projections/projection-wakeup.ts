import type { CommitNotifier } from '../feed/commit-notifier.js';

/** Why a wait ended. */
export type Wakeup = 'hint' | 'timeout' | 'signal';

/**
 * When a projection runner reads again: the feed notifier's hints (this process committed, or its
 * indexer wrote an index batch), coalesced, and timers. A hint that comes while a read runs is kept
 * (one, however many come), so that the next wait ends at once: the read may have started before
 * the commit was indexed. So at most one read waits while one runs.
 */
export class ProjectionWakeup {
  private hinted = false;
  private unsubscribe?: () => void;
  /** Ends the wait in progress on a hint, if it waits for hints. */
  private onHint?: () => void;
  /** Ends the wait in progress, whatever it waits for (see poke()). */
  private onPoke?: () => void;

  constructor(private readonly notifier: CommitNotifier) {}

  /** Listens to the notifier (once, however often called). */
  listen(): void {
    this.unsubscribe ??= this.notifier.subscribe(() => {
      this.hinted = true;
      this.onHint?.();
    });
  }

  /** Stops listening and forgets a pending hint. */
  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.hinted = false;
  }

  /** Ends the wait in progress at once, sleep or not (what the runner may do has changed: a partition given or taken away). */
  poke(): void {
    this.hinted = true;
    this.onPoke?.();
  }

  /** Takes the pending hint, if any: a read starting now covers whatever it hinted at. */
  take(): void {
    this.hinted = false;
  }

  /** Until `delayMs` passed, a hint came (one pending ends it at once), or a signal fired. */
  untilHint(delayMs: number, signals: readonly AbortSignal[]): Promise<Wakeup> {
    if (this.hinted && !signals.some((signal) => signal.aborted)) return Promise.resolve('hint');
    return this.wait(delayMs, signals, true);
  }

  /** Until `delayMs` passed or a signal fired; hints wait for later. */
  sleep(delayMs: number, signals: readonly AbortSignal[]): Promise<Wakeup> {
    return this.wait(delayMs, signals, false);
  }

  private wait(delayMs: number, signals: readonly AbortSignal[], onHint: boolean): Promise<Wakeup> {
    return new Promise((resolve) => {
      if (signals.some((signal) => signal.aborted)) return resolve('signal');
      const finish = (why: Wakeup) => {
        clearTimeout(timer);
        if (this.onHint === hint) this.onHint = undefined;
        if (this.onPoke === hint) this.onPoke = undefined;
        for (const signal of signals) signal.removeEventListener('abort', aborted);
        resolve(why);
      };
      const aborted = () => finish('signal');
      const hint = () => finish('hint');
      const timer = setTimeout(() => finish('timeout'), Math.max(0, delayMs));
      for (const signal of signals) signal.addEventListener('abort', aborted, { once: true });
      if (onHint) this.onHint = hint;
      this.onPoke = hint;
    });
  }
}
