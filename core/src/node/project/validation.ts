import { Ajv, type ValidateFunction } from 'ajv';
import { CairnError, ErrorCodes } from '@cairn/sdk';
import { describeSchemaErrors } from '../json-schema.js';
import { ISO_TIME_PATTERN } from '../../common/schemas.js';

const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true, verbose: true });
const hints: Record<string, string> = {
  '^[^\\s/]+$': 'an id without spaces or slashes',
  '^[^/\\\\]+$': 'a file name without slashes',
  '^#[0-9a-fA-F]{6}$': 'a colour like #1a2b3c',
  [ISO_TIME_PATTERN]: 'an ISO 8601 time like 2024-05-01T10:00:00Z',
};

/**
 * A checker for one kind of input: returns the input typed, or throws `ERR_INVALID_INPUT` whose
 * message names each bad field (`Invalid observation: lat must be at most 90`).
 */
export function validator<T>(schema: object, what: string): (input: unknown) => T {
  let validate: ValidateFunction | null = null;
  return (input: unknown): T => {
    validate ??= ajv.compile(schema);
    if (!validate(input)) {
      const problems = describeSchemaErrors(validate.errors ?? [], hints, what);
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Invalid ${what}: ${problems.join('; ')}.`);
    }
    return input as T;
  };
}
