/**
 * `Object.assign(target, data)` for data read from storage, except that an own `__proto__` key of
 * the data becomes an own property of the target, as JSON.parse makes it, instead of replacing
 * the target's prototype (which `Object.assign` does: the instance would stop being an instance of
 * its class). The common case, no such key, costs one lookup on top of `Object.assign`.
 */
export function assignOwnData<T extends object>(target: T, data: object): T {
  if (!Object.hasOwn(data, '__proto__')) return Object.assign(target, data);
  for (const key of Object.keys(data)) {
    const value = (data as Record<string, unknown>)[key];
    if (key === '__proto__') Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
    else (target as Record<string, unknown>)[key] = value;
  }
  return target;
}
