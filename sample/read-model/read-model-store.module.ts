import { Module } from '@nestjs/common';
import { ReadModelStore } from './read-model.store.js';

/** One ReadModelStore, shared by the projection that writes it and the query handlers that read it. */
@Module({ providers: [ReadModelStore], exports: [ReadModelStore] })
export class ReadModelStoreModule {}
