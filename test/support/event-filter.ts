import type { DynamoDBRecord, DynamoDBStreamEvent } from '../../lib/feed/indexer/stream-records.js';

/**
 * The part of Lambda's event filtering (FilterCriteria patterns) that the module's documented
 * filters use, applied to a record as Lambda's JSON has it: an object pattern matches field by
 * field (every field must match); an array lists what a leaf may be, each a value (equal), or
 * `{ exists: boolean }`, `{ prefix: string }`, `{ numeric: [op, n, ...] }` (on a number, or on a
 * string that is one, as DynamoDB's `N` is). A record matches a FilterCriteria when it matches any
 * of its patterns.
 */
export function matchesPattern(pattern: unknown, value: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((rule) => matchesRule(rule, value));
  if (pattern === null || typeof pattern !== 'object') throw new Error(`event-filter: a pattern holds objects and arrays, not ${JSON.stringify(pattern)}`);
  return Object.entries(pattern).every(([key, inner]) => {
    const field = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    // `exists: false` matches an absent field; anything else needs the field.
    if (field === undefined) return Array.isArray(inner) && inner.some((rule) => isRecord(rule) && rule.exists === false);
    return matchesPattern(inner, field);
  });
}

function matchesRule(rule: unknown, value: unknown): boolean {
  if (!isRecord(rule)) return rule === value;
  if ('exists' in rule) return rule.exists === (value !== undefined);
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(String(rule.prefix));
  if ('numeric' in rule) {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (Number.isNaN(n)) return false;
    const terms = rule.numeric as Array<string | number>;
    for (let i = 0; i < terms.length; i += 2) {
      const bound = Number(terms[i + 1]);
      const ok = { '=': n === bound, '>': n > bound, '>=': n >= bound, '<': n < bound, '<=': n <= bound }[String(terms[i])];
      if (ok !== true) return false;
    }
    return true;
  }
  throw new Error(`event-filter: rule ${JSON.stringify(rule)} is not supported here`);
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A FilterCriteria as CloudFormation and the Lambda API take it: patterns as JSON strings. */
export interface FilterCriteria {
  readonly Filters: ReadonlyArray<{ readonly Pattern: string }>;
}

export const matchesCriteria = (criteria: FilterCriteria, record: DynamoDBRecord): boolean =>
  criteria.Filters.some(({ Pattern }) => matchesPattern(JSON.parse(Pattern) as unknown, record));

/**
 * A handler behind a mapping's filter, as Lambda runs it: the function gets only the matching
 * records, and is not invoked when none match (the filtered records count as handled). `seen`
 * collects every record the function was given.
 */
export function filtered<R extends { batchItemFailures: Array<{ itemIdentifier: string }> }>(
  criteria: FilterCriteria,
  handler: (event: DynamoDBStreamEvent) => Promise<R>,
  seen: DynamoDBRecord[] = [],
): (event: DynamoDBStreamEvent) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  return async (event) => {
    const records = event.Records.filter((record) => matchesCriteria(criteria, record));
    if (records.length === 0) return { batchItemFailures: [] };
    seen.push(...records);
    return handler({ Records: records });
  };
}
