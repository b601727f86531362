import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { ProjectionDefinition } from './projection-definitions.js';

/** A projection of the app: its checked declarations and the instance Nest built of its class. */
export interface RegisteredProjection {
  readonly definition: ProjectionDefinition;
  readonly instance: object;
}

/**
 * The projections of one app (found among its providers, or listed in `forFeature({ projections })`),
 * held by the module's runtime so that the ProjectionManager of the root module sees all of them. Names are unique app-wide:
 * they key the stored checkpoints and leases.
 */
export class ProjectionRegistry {
  private readonly byName = new Map<string, RegisteredProjection>();

  /** @throws InvalidModuleOptionsError when another projection instance already has the name. */
  register(definition: ProjectionDefinition, instance: object): void {
    const holder = this.byName.get(definition.name);
    if (holder !== undefined && holder.instance !== instance) {
      const which =
        holder.definition.type === definition.type
          ? 'the same class, listed in the providers of two modules (each builds an instance of its own): list it in one module, which may export it'
          : `class ${holder.definition.type.name}`;
      throw new InvalidModuleOptionsError(`projections (${definition.type.name})`, `is named "${definition.name}", which is already the name of ${which}.`);
    }
    this.byName.set(definition.name, { definition, instance });
  }

  get size(): number {
    return this.byName.size;
  }

  all(): RegisteredProjection[] {
    return [...this.byName.values()];
  }

  byNameOrClass(projection: string | Function): RegisteredProjection | undefined {
    if (typeof projection === 'string') return this.byName.get(projection);
    return this.all().find((registered) => registered.definition.type === projection);
  }
}
