/** An object or array being written. */
interface Frame {
  readonly value: object;
  /** Own enumerable keys of an object; undefined for an array. */
  readonly keys: string[] | undefined;
  index: number;
  /** Whether a member was written (the next one needs a comma). */
  wrote: boolean;
}

/**
 * `JSON.stringify`, except that -0 is written as `-0` (which `JSON.parse` reads back as -0), where
 * `JSON.stringify` writes 0. Only used for values the safety scan passed and found a -0 in (rare,
 * and much slower than the native one); it writes exactly what `JSON.stringify` writes otherwise:
 * own enumerable keys in their order, keys with undefined values left out, Dates as their ISO
 * string. An explicit stack, like the scan's, so depth cannot overflow the call stack.
 */
export function writeJson(root: unknown): string {
  const frames: Frame[] = [];
  const parts: string[] = [];
  const write = (value: unknown): void => {
    if (value === null) parts.push('null');
    else if (typeof value === 'number') parts.push(value === 0 && 1 / value < 0 ? '-0' : String(value));
    else if (typeof value === 'string') parts.push(JSON.stringify(value));
    else if (typeof value === 'boolean') parts.push(value ? 'true' : 'false');
    else if (value instanceof Date) parts.push(JSON.stringify(value));
    else {
      const isArray = Array.isArray(value);
      parts.push(isArray ? '[' : '{');
      frames.push({ value: value as object, keys: isArray ? undefined : Object.keys(value as object), index: 0, wrote: false });
    }
  };

  write(root);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const { value, keys } = frame;
    if (keys === undefined) {
      const array = value as unknown[];
      if (frame.index >= array.length) {
        parts.push(']');
        frames.pop();
        continue;
      }
      if (frame.index > 0) parts.push(',');
      write(array[frame.index++]);
    } else {
      if (frame.index >= keys.length) {
        parts.push('}');
        frames.pop();
        continue;
      }
      const key = keys[frame.index++]!;
      const member = (value as Record<string, unknown>)[key];
      if (member === undefined) continue;
      parts.push(frame.wrote ? `,${JSON.stringify(key)}:` : `${JSON.stringify(key)}:`);
      frame.wrote = true;
      write(member);
    }
  }
  return parts.join('');
}
