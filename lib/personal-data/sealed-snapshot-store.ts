import type { AggregateSnapshotStore } from '../aggregates/aggregate-repository.js';
import { PersonalDataDisabledError } from '../errors/personal-data-disabled.error.js';
import { assertSubjectId, type PersonalDataService } from './personal-data-service.js';

/**
 * The snapshot store of an aggregate registered with `snapshots.subject`: each state is stored
 * sealed whole under the subject's data key, and opened on load. Once the subject is forgotten, its
 * snapshots cannot be opened: the load fails, and the aggregate repository rebuilds the aggregate
 * from its events (whose personal fields read as redacted); new snapshots of it are not taken.
 */
export class SealedSnapshotStore implements AggregateSnapshotStore {
  constructor(
    private readonly snapshots: AggregateSnapshotStore,
    private readonly personalData: PersonalDataService | undefined,
    private readonly subjectOf: (state: Record<string, unknown>) => string,
    private readonly aggregateName: string,
  ) {}

  async save(streamId: string, version: number, state: unknown, options: { revision: number }): Promise<unknown> {
    const subjectId = this.subjectOf(state as Record<string, unknown>);
    assertSubjectId(subjectId);
    const sealed = await this.service().snapshots.seal(subjectId, streamId, version, state);
    return this.snapshots.save(streamId, version, sealed, options);
  }

  async load(streamId: string, options?: { revision?: number }): Promise<{ version: number; revision: number; state: unknown } | undefined> {
    const snapshot = await this.snapshots.load(streamId, options);
    if (snapshot === undefined) return undefined;
    return { ...snapshot, state: await this.service().snapshots.open(snapshot.state, streamId) };
  }

  private service(): PersonalDataService {
    if (this.personalData === undefined) throw new PersonalDataDisabledError(`The snapshots of aggregate "${this.aggregateName}" (snapshots.subject)`);
    return this.personalData;
  }
}
