import { describeJson } from './describe-json.js';
import { RequestValidationError, type FieldProblem } from './request-validation.error.js';

interface IntegerRule {
  readonly min: number;
  readonly max: number;
  /** Says what the number is, e.g. "a whole number of cents (1250 for 12.50)". */
  readonly what: string;
}

/**
 * Reads the fields of a JSON request body one by one, collecting every problem (an unknown field
 * included, so that a typo such as `amount` for `amountCents` is caught, not ignored), then
 * `done()` throws them all at once as a RequestValidationError (400). Getters of required fields
 * return a placeholder when the field is wrong: only values read before a successful `done()` count.
 */
export class RequestBody {
  private readonly problems: FieldProblem[] = [];

  private constructor(private readonly fields: Record<string, unknown>) {}

  static of(body: unknown, allowed: readonly string[]): RequestBody {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw new RequestValidationError([
        {
          field: 'body',
          problem: `must be a JSON object (Content-Type: application/json) with the fields ${allowed.join(', ')}; got ${describeJson(body)}`,
        },
      ]);
    }
    const reader = new RequestBody(body as Record<string, unknown>);
    for (const key of Object.keys(body)) {
      if (!allowed.includes(key)) reader.problems.push({ field: key, problem: `is not a field of this request (allowed: ${allowed.join(', ')})` });
    }
    return reader;
  }

  /** A required string, trimmed, not empty. */
  text(field: string, maxLength: number): string {
    const value = this.fields[field];
    if (typeof value !== 'string' || value.trim() === '') return this.problem(field, `is required: a non-empty string; got ${describeJson(value)}`, '');
    if (value.trim().length > maxLength) return this.problem(field, `must be at most ${maxLength} characters; got ${value.trim().length}`, '');
    return value.trim();
  }

  /** An optional string that must match `pattern` (`rule` says how, in words). */
  optionalMatch(field: string, pattern: RegExp, rule: string): string | undefined {
    const value = this.fields[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) return this.problem(field, `${rule}; got ${describeJson(value)}`, undefined);
    return value;
  }

  /** A required string that must match `pattern`. */
  match(field: string, pattern: RegExp, rule: string): string {
    if (this.fields[field] === undefined) return this.problem(field, `is required and ${rule}`, '');
    return this.optionalMatch(field, pattern, rule) ?? '';
  }

  /** A required JSON integer in [min, max]. */
  integer(field: string, rule: IntegerRule): number {
    if (this.fields[field] === undefined) return this.problem(field, `is required: ${rule.what}`, 0);
    return this.optionalInteger(field, rule) ?? 0;
  }

  optionalInteger(field: string, { min, max, what }: IntegerRule): number | undefined {
    const value = this.fields[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      return this.problem(field, `must be ${what}, from ${min} to ${max}; got ${describeJson(value)}`, undefined);
    }
    return value;
  }

  /** Records a problem that involves more than one field. */
  refuse(field: string, problem: string): void {
    this.problems.push({ field, problem });
  }

  /** @throws RequestValidationError with every problem found, if any. */
  done(): void {
    if (this.problems.length > 0) throw new RequestValidationError(this.problems);
  }

  private problem<T>(field: string, problem: string, placeholder: T): T {
    this.problems.push({ field, problem });
    return placeholder;
  }
}
