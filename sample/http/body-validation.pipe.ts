import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { isParsableDto } from './parsable-dto.js';

/**
 * Turns a request body into its DTO through the DTO's own `parse` (installed for the whole app):
 * a bad body never reaches a controller, and fails with 400 listing what is wrong with it.
 */
@Injectable()
export class BodyValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    return metadata.type === 'body' && isParsableDto(metadata.metatype) ? metadata.metatype.parse(value) : value;
  }
}
