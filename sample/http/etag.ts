/** A stream version as an entity tag, for `ETag` and `If-Match`: `"5"`. */
export function etagOf(version: number): string {
  return `"${version}"`;
}
