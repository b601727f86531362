import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { UnsupportedEventRevisionError } from '../errors/unsupported-event-revision.error.js';
import { UpcastError } from '../errors/upcast.error.js';
import type { EventUpcaster, EventUpcasters } from './interfaces/event-upcaster.interface.js';

/**
 * The upcasters of one event type, checked at start-up to form a complete chain
 * 1 → 2 → ... → current revision, so that every revision this code ever wrote stays readable.
 */
export class UpcasterChain {
  /** `steps[r]` upgrades revision r to r + 1. */
  private readonly steps: ReadonlyArray<EventUpcaster | undefined>;

  /** @throws InvalidModuleOptionsError naming the class when the revision or the upcasters are not a complete chain. */
  constructor(
    private readonly eventType: string,
    readonly revision: number,
    upcasters: EventUpcasters | undefined,
    className: string,
  ) {
    const fail = (problem: string) => new InvalidModuleOptionsError('events', `${problem} (class ${className}, type "${eventType}").`);
    if (!Number.isSafeInteger(revision) || revision < 1) throw fail(`needs a revision that is a whole number >= 1; got ${String(revision)}`);
    const steps: Array<EventUpcaster | undefined> = [];
    if (upcasters !== undefined) {
      if (upcasters === null || typeof upcasters !== 'object' || Array.isArray(upcasters)) {
        throw fail('needs upcasters as an object keyed by the revision each upgrades from, e.g. { 1: (v1) => v2 }');
      }
      for (const [key, upcaster] of Object.entries(upcasters)) {
        const from = Number(key);
        if (!Number.isSafeInteger(from) || from < 1 || from >= revision) {
          throw fail(
            `has an upcaster keyed ${JSON.stringify(key)}, but keys are the revisions upgraded from: 1 to ${revision - 1} at revision ${revision}` +
              (revision === 1 ? ' (raise `revision` when you add an upcaster)' : ''),
          );
        }
        if (typeof upcaster !== 'function') throw fail(`has an upcaster from revision ${from} that is not a function`);
        steps[from] = upcaster;
      }
    }
    for (let from = 1; from < revision; from++) {
      if (steps[from] === undefined) {
        throw fail(
          `is at revision ${revision} but has no upcaster from revision ${from} to ${from + 1}: events stored at revision ${from} ` +
            `could not be read. Add \`upcasters: { ${from}: (data) => ... }\``,
        );
      }
    }
    this.steps = steps;
  }

  /**
   * Upgrades stored data from `storedRevision` to the current revision, one step at a time.
   * Only called for data stored at another revision than the current one.
   */
  upcast(data: object, storedRevision: unknown, streamId: string, version: number): object {
    if (typeof storedRevision !== 'number' || !Number.isSafeInteger(storedRevision) || storedRevision < 1 || storedRevision > this.revision) {
      throw new UnsupportedEventRevisionError(this.eventType, storedRevision, this.revision, streamId, version);
    }
    let upcast = data as Record<string, unknown>;
    for (let from = storedRevision; from < this.revision; from++) {
      let result: unknown;
      try {
        result = this.steps[from]!(upcast, { eventType: this.eventType, fromRevision: from, streamId, version });
      } catch (error) {
        throw new UpcastError(this.eventType, from, streamId, version, `the upcaster threw: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      }
      if (result === null || typeof result !== 'object' || Array.isArray(result) || result instanceof Promise) {
        throw new UpcastError(this.eventType, from, streamId, version, `the upcaster returned ${describe(result)} instead of an object.`);
      }
      upcast = result as Record<string, unknown>;
    }
    return upcast;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Promise) return 'a Promise (upcasters must be synchronous)';
  return typeof value;
}
