import { Injectable, type PipeTransform } from '@nestjs/common';
import { ENTITY_ID_PATTERN, ENTITY_ID_RULE } from '../shared/entity-id.js';
import { describeJson } from './describe-json.js';
import { RequestValidationError } from './request-validation.error.js';

/** Checks an id taken from the path (`/accounts/:id`), so that a malformed one is a 400, not a miss. */
@Injectable()
export class EntityIdPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!ENTITY_ID_PATTERN.test(value)) throw new RequestValidationError([{ field: this.name, problem: `${ENTITY_ID_RULE}; got ${describeJson(value)}` }]);
    return value;
  }
}
