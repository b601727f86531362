import { formatJsonPath, type JsonPathSegment } from './json-inspection.js';

/**
 * The field of a stored event entry that lists where its data held Dates: `"dates":[["at"],["lines",0,"shippedAt"]]`,
 * after `"data"` and only when there were Dates. The data holds each as its ISO string, so readers
 * that do not know the field (0.3, the CLI, other languages) see what 0.3 would have stored.
 */
export const DATES_FIELD = 'dates';

/**
 * Turns the ISO strings that `paths` (the stored field) points at back into Dates, in place, in
 * data freshly parsed from the stored JSON. Returns what is wrong when the field does not fit the
 * data (written by hand, or damaged): the caller reports it rather than hand out half-restored data.
 */
export function restoreDates(data: unknown, paths: unknown): string | undefined {
  if (!Array.isArray(paths)) return `the stored entry's "${DATES_FIELD}" field is not a list of paths`;
  for (const path of paths as unknown[]) {
    if (!Array.isArray(path) || path.length === 0 || !path.every(isSegment)) return `the stored entry's "${DATES_FIELD}" field holds ${describe(path)}, not a path`;
    let container: unknown = data;
    for (let i = 0; i < path.length - 1; i++) container = ownMember(container, path[i] as JsonPathSegment);
    const last = path[path.length - 1] as JsonPathSegment;
    const text = ownMember(container, last);
    const date = typeof text === 'string' ? new Date(text) : undefined;
    if (date === undefined || Number.isNaN(date.getTime())) {
      return `the stored entry's "${DATES_FIELD}" field points at ${formatJsonPath(path as JsonPathSegment[])}, which holds no date string`;
    }
    // An own data property, checked above: assigning it cannot reach a setter (not even __proto__'s).
    (container as Record<JsonPathSegment, unknown>)[last] = date;
  }
  return undefined;
}

const isSegment = (segment: unknown): segment is JsonPathSegment =>
  typeof segment === 'string' || (typeof segment === 'number' && Number.isSafeInteger(segment) && segment >= 0);

/** An own property of an object or array, never an inherited one. */
function ownMember(container: unknown, segment: JsonPathSegment): unknown {
  if (container === null || typeof container !== 'object' || !Object.hasOwn(container, segment)) return undefined;
  return (container as Record<JsonPathSegment, unknown>)[segment];
}

function describe(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json.length > 60 ? `${json.slice(0, 60)}...` : json;
}
