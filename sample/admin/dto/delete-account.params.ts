import type { StreamDeletionMode } from '../../../lib/index.js';
import { describeJson } from '../../http/describe-json.js';
import { expectedVersionOf } from '../../http/expected-version.js';
import { RequestValidationError, type FieldProblem } from '../../http/request-validation.error.js';

const MODES: readonly StreamDeletionMode[] = ['soft', 'hard'];

/**
 * `DELETE /admin/accounts/:id?mode=hard&expectedVersion=7` (or `If-Match: "7"`): a deletion names
 * the version it was decided on, so an account that changed since is not deleted (409). `mode`
 * defaults to `soft`. `expectedVersion=0` with `mode=hard` erases an account that was soft-deleted
 * (it reads as not found, version 0).
 */
export class DeleteAccountParams {
  private constructor(
    readonly mode: StreamDeletionMode,
    readonly expectedVersion: number,
  ) {}

  static parse(query: Record<string, unknown>, ifMatch: string | undefined): DeleteAccountParams {
    const problems: FieldProblem[] = [];
    for (const key of Object.keys(query)) {
      if (key !== 'mode' && key !== 'expectedVersion') problems.push({ field: key, problem: 'is not a parameter of this request (allowed: mode, expectedVersion)' });
    }
    const { mode = 'soft', expectedVersion: raw } = query;
    if (!MODES.includes(mode as StreamDeletionMode)) problems.push({ field: 'mode', problem: `must be "soft" or "hard"; got ${describeJson(mode)}` });
    let fromQuery: number | undefined;
    if (raw !== undefined) {
      fromQuery = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
      if (fromQuery === undefined) problems.push({ field: 'expectedVersion', problem: `must be the account version you read (a whole number); got ${describeJson(raw)}` });
    }
    if (problems.length > 0) throw new RequestValidationError(problems);
    // 0 is no ETag (If-Match takes versions from 1): only the query can say it.
    const expectedVersion = fromQuery === 0 && ifMatch === undefined ? 0 : expectedVersionOf(ifMatch, fromQuery);
    if (expectedVersion === undefined) {
      throw new RequestValidationError([{ field: 'expectedVersion', problem: 'is required (or If-Match): a deletion applies to the version you decided on, such as 7' }]);
    }
    return new DeleteAccountParams(mode as StreamDeletionMode, expectedVersion);
  }
}
