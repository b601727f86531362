import { describe, expect, it } from '@jest/globals';
import { restoreDates } from './stored-dates.js';

describe('restoreDates', () => {
  it('turns the ISO strings at the listed paths into Dates, in place, and nothing else', () => {
    const data = JSON.parse('{"at":"2026-01-02T03:04:05.006Z","lines":[{"shippedAt":"+275760-09-13T00:00:00.000Z"}],"label":"2026-01-02T03:04:05.006Z"}') as {
      at: Date;
      lines: Array<{ shippedAt: Date }>;
      label: string;
    };
    expect(restoreDates(data, [['at'], ['lines', 0, 'shippedAt']])).toBeUndefined();
    expect(data.at).toEqual(new Date('2026-01-02T03:04:05.006Z'));
    expect(data.lines[0]!.shippedAt.getTime()).toBe(8.64e15); // the largest Date there is
    expect(data.label).toBe('2026-01-02T03:04:05.006Z');
  });

  it('follows only own properties: a path through "__proto__" reaches the stored key, never a prototype', () => {
    const data = JSON.parse('{"__proto__":{"at":"1970-01-01T00:00:00.000Z"}}') as Record<string, { at: unknown }>;
    expect(restoreDates(data, [['__proto__', 'at']])).toBeUndefined();
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(data, '__proto__')!.value.at).toEqual(new Date(0));
    expect(restoreDates({}, [['toString']])).toMatch(/points at \$\.toString, which holds no date string/);
  });

  it.each([
    ['not a list', { at: 1 }, /"dates" field is not a list of paths/],
    ['an empty path', [[]], /holds \[\], not a path/],
    ['a path with a bad step', [['at', -1]], /not a path/],
    ['a path to nothing', [['missing', 'at']], /points at \$\.missing\.at, which holds no date string/],
    ['a path to a number', [['n']], /points at \$\.n/],
    ['a path to a string that is no date', [['word']], /points at \$\.word/],
  ])('reports a field that does not fit the data: %s', (_label, paths, problem) => {
    expect(restoreDates({ n: 1, word: 'soon' }, paths)).toMatch(problem);
  });
});
