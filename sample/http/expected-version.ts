import { RequestValidationError } from './request-validation.error.js';

/**
 * The version a write expects the account to be at, from an `If-Match` header (the `ETag` of an
 * earlier response: `"5"`, also `W/"5"` or `5`) or a body's `expectedVersion`. Undefined when
 * neither is given (or `If-Match: *`): the write then applies to whatever the version is.
 *
 * @throws RequestValidationError for a malformed header, or a header and a body that disagree.
 */
export function expectedVersionOf(ifMatch: string | undefined, bodyVersion?: number): number | undefined {
  const header = ifMatch?.trim();
  if (header === undefined || header === '' || header === '*') return bodyVersion;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(header);
  const version = match === null ? NaN : Number(match[1]);
  if (!(version >= 1)) {
    throw new RequestValidationError([{ field: 'If-Match', problem: `must be an account version from an ETag, such as "3"; got ${JSON.stringify(header.slice(0, 40))}` }]);
  }
  if (bodyVersion !== undefined && bodyVersion !== version) {
    throw new RequestValidationError([{ field: 'If-Match', problem: `says version ${version} but the body's expectedVersion says ${bodyVersion}; send one of them` }]);
  }
  return version;
}
