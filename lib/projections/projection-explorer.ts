import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import { EVENT_SOURCING_RUNTIME } from '../dynamo-event-sourcing.constants.js';
import { InvalidModuleOptionsError } from '../errors/invalid-module-options.error.js';
import type { EventSourcingRuntime } from '../event-sourcing-runtime.js';
import { defineProjection } from './projection-definitions.js';
import { projectionDeclarationOf } from './projection.decorator.js';

/**
 * Finds the app's projections among its providers, the way `@nestjs/cqrs` finds `@EventsHandler`
 * classes: any class decorated with `@Projection` and listed in some module's `providers` (so built
 * by Nest with that module's injections) is checked and handed to the runtime's registry, which the
 * ProjectionManager (and the CLI and the Lambda handlers, through it) runs.
 *
 * Runs when the modules are initialized (every singleton provider exists by then), and again when
 * the ProjectionManager first builds its runners, in case something asked for them in an earlier
 * `onModuleInit` (a module of `isGlobal: false` initialized first, say). Registering a projection
 * again is a no-op.
 */
@Injectable()
export class ProjectionExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(EVENT_SOURCING_RUNTIME) private readonly runtime: EventSourcingRuntime,
  ) {}

  onModuleInit(): void {
    this.explore();
  }

  /** @throws InvalidModuleOptionsError naming the class, for a badly declared or a request-scoped projection. */
  explore(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const type = projectionClassOf(wrapper);
      if (type === undefined) continue;
      const at = `providers (${type.name || 'anonymous class'})`;
      if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
        // One instance per request (or per injection) cannot hold one checkpoint and lease.
        throw new InvalidModuleOptionsError(at, 'is a @Projection, which must be a singleton provider (the default scope): its checkpoint and lease belong to one instance.');
      }
      this.runtime.projections.register(defineProjection(type, at), wrapper.instance as object);
    }
  }
}

/** The `@Projection` class a provider is an instance of (or, not yet built, declares), if any. */
function projectionClassOf(wrapper: InstanceWrapper): Function | undefined {
  const instance: unknown = wrapper.instance;
  const candidates = [instance !== null && typeof instance === 'object' ? instance.constructor : undefined, wrapper.metatype];
  return candidates.find((type): type is Function => typeof type === 'function' && projectionDeclarationOf(type) !== undefined);
}
