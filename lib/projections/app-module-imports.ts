import type { DynamicModule } from '@nestjs/common';

/**
 * The first module class that `entry` is or imports, statically (`@Module({ imports })`) or as
 * dynamic modules, forward references and promises of them, for which `matches` holds. For the
 * app module given to the CLI and to the Lambda handlers, which add `forRoot()` themselves and
 * must refuse an app that imports it already.
 *
 * Loads nothing of NestJS (`nestjs-dynamo-es/lambda` imports this before NestJS is loaded); reads
 * the `imports` metadata through `Reflect.getMetadata`, which `reflect-metadata` (loaded with
 * NestJS) provides by the time a module exists to look at.
 */
export async function findImportedModule(entry: unknown, matches: (moduleClass: Function) => boolean, seen = new Set<unknown>()): Promise<Function | undefined> {
  let resolved: unknown = await entry;
  if (resolved !== null && typeof resolved === 'object' && typeof (resolved as { forwardRef?: unknown }).forwardRef === 'function') {
    resolved = (resolved as { forwardRef: () => unknown }).forwardRef();
  }
  if (resolved === undefined || resolved === null || seen.has(resolved)) return undefined;
  seen.add(resolved);
  const moduleClass: unknown = typeof resolved === 'function' ? resolved : (resolved as DynamicModule).module;
  if (typeof moduleClass === 'function' && matches(moduleClass)) return moduleClass;
  const imports: unknown[] = [
    // 'imports' is the metadata key of @Module({ imports }) (MODULE_METADATA.IMPORTS in @nestjs/common).
    ...((typeof moduleClass === 'function' ? (Reflect.getMetadata('imports', moduleClass) as unknown[] | undefined) : undefined) ?? []),
    ...(typeof resolved === 'object' ? ((resolved as DynamicModule).imports ?? []) : []),
  ];
  for (const imported of imports) {
    const found = await findImportedModule(imported, matches, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}
