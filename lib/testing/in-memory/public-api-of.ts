/**
 * The public members of a class, as a type an unrelated class can implement (a class type with
 * private members only admits its own subclasses). The in-memory stores implement the public API
 * of the DynamoDB ones this way, so the compiler keeps their methods in step.
 */
export type PublicApiOf<T> = { [K in keyof T]: T[K] };
