/**
 * A request body class that checks itself: `static parse(body)` returns an instance or throws a
 * RequestValidationError. The BodyValidationPipe calls it for every `@Body() dto: SomeDto`.
 * (What class-validator would do, by hand: a sample should not need another dependency.)
 */
export interface ParsableDto<T> {
  parse(body: unknown): T;
}

export function isParsableDto(type: unknown): type is ParsableDto<unknown> {
  return typeof type === 'function' && typeof (type as Partial<ParsableDto<unknown>>).parse === 'function';
}
