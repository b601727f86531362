/** One thing wrong with a request, named after the field (or header, or path parameter) it is about. */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/** A request the API cannot take as it is (400): every problem found, not just the first. */
export class RequestValidationError extends Error {
  override readonly name = 'RequestValidationError';

  constructor(readonly problems: readonly FieldProblem[]) {
    super(
      `Invalid request: ${problems.map(({ field, problem }) => `${field} ${problem}`).join('; ')}.`,
    );
  }
}
