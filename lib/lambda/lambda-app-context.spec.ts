import { describe, expect, it } from '@jest/globals';
import { Module, type DynamicModule } from '@nestjs/common';
import { DynamoEventSourcingModule } from '../dynamo-event-sourcing.module.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import { createLambdaAppContext } from './lambda-app-context.js';

// Never reached: the module is refused before any context (or client) is made.
const options = { tables: { events: 'never-used' } } as never;

describe('createLambdaAppContext', () => {
  it('refuses an app module that imports forRoot() itself, however deep (static imports, dynamic modules, forward references, promises)', async () => {
    const forRoot = DynamoEventSourcingModule.forRoot(options);
    @Module({ imports: [forRoot] })
    class Direct {}
    @Module({})
    class Inner {}
    const viaPromise: DynamicModule = { module: Inner, imports: [Promise.resolve(forRoot) as never] };
    @Module({ imports: [{ forwardRef: () => viaPromise } as never] })
    class Deep {}
    for (const app of [Direct, Deep]) {
      await expect(createLambdaAppContext(app, options)).rejects.toThrow(InvalidModuleOptionsError);
      await expect(createLambdaAppContext(app, options)).rejects.toThrow(/imports DynamoEventSourcingModule\.forRoot\(\) itself/);
    }
  });
});
