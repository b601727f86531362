import { describeValue } from '../errors/describe-value.js';
import { describeArgument, isArraySafely } from '../event-store/argument-shape.js';
import type { EventClass, EventTypeRegistry } from '../serialization/event-type-registry.js';
import type { RegisteredEventType } from '../serialization/registered-event-type.js';

/**
 * Checks an `eventTypes` option and turns it into a test of stored type names (aliases included):
 * true for the types it lists. Undefined when there is no list (every type passes).
 *
 * @param fail builds the caller's typed error for a bad list (an empty one, a hole, a class or name
 *   that is not registered).
 */
export function eventTypeFilter(
  eventTypes: unknown,
  registry: EventTypeRegistry,
  fail: (message: string) => Error,
): ((storedType: string) => boolean) | undefined {
  if (eventTypes === undefined) return undefined;
  if (!isArraySafely(eventTypes) || eventTypes.length === 0) {
    throw fail(`eventTypes must be a non-empty array of event classes or type names; got ${describeArgument(eventTypes)}.`);
  }
  const wanted = new Set<RegisteredEventType>();
  // A for loop, not map(): map skips holes, and a hole is most likely a class that failed to import.
  for (let index = 0; index < eventTypes.length; index++) {
    if (!Object.hasOwn(eventTypes, index)) throw fail(`eventTypes[${index}] is missing: the array has a hole there.`);
    wanted.add(registrationOf(eventTypes[index], registry, fail));
  }
  const decided = new Map<string, boolean>(); // a stream holds few types: each is looked up once
  return (storedType) => {
    let answer = decided.get(storedType);
    if (answer === undefined) {
      const registered = registry.find(storedType);
      answer = registered !== undefined && wanted.has(registered);
      decided.set(storedType, answer);
    }
    return answer;
  };
}

function registrationOf(type: unknown, registry: EventTypeRegistry, fail: (message: string) => Error): RegisteredEventType {
  const registered = typeof type === 'string' ? registry.find(type) : typeof type === 'function' ? registry.findClass(type as EventClass) : undefined;
  if (registered === undefined) {
    const what = typeof type === 'function' ? `class ${type.name}` : describeValue(type);
    throw fail(`eventTypes lists ${what}, which has no stable type name (decorate it with @EventType('<name>'), or list it in the module's \`events\`).`);
  }
  return registered;
}
