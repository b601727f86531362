import { DomainRuleError } from '../shared/domain-rule.error.js';
import { NotFoundError } from '../shared/not-found.error.js';

/**
 * Why an account refused a transfer leg, as a sentence for the transfer's status; undefined when the
 * error is not a refusal (DynamoDB unavailable, a bug): the step then fails and is logged instead.
 */
export function refusalReason(error: unknown): string | undefined {
  if (error instanceof DomainRuleError || error instanceof NotFoundError) return error.message;
  return undefined;
}
