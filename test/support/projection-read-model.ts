import { Module, type DynamicModule } from '@nestjs/common';
import type { FeedEvent } from '../../lib/index.js';
import { idOf } from './projection-recorder.js';

/**
 * A read model that several app instances write, as a real one (a table) is: rows keyed by event
 * (`streamId@version`), so applying an event twice changes nothing. Each test makes its own.
 */
export class SharedReadModel {
  private readonly rows = new Map<string, FeedEvent>();

  apply(event: FeedEvent): void {
    this.rows.set(idOf(event), event);
  }

  /** Deletes `count` rows (the first in insertion order): what a reset cut short leaves. */
  deleteSome(count: number): void {
    for (const id of [...this.rows.keys()].slice(0, count)) this.rows.delete(id);
  }

  clear(): void {
    this.rows.clear();
  }

  ids(): string[] {
    return [...this.rows.keys()].sort();
  }
}

/** Provides the given SharedReadModel to a feature's projections: pass the same object to every app instance. */
@Module({})
export class SharedReadModelModule {
  static of(model: SharedReadModel): DynamicModule {
    return { module: SharedReadModelModule, providers: [{ provide: SharedReadModel, useValue: model }], exports: [SharedReadModel] };
  }
}
