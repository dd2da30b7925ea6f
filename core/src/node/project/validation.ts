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
 * `ERR_INVALID_INPUT` for one input: `Invalid observation [3]: lat must be at most 90.` The
 * problem is kept apart from the label, for a caller that lists the problems of many inputs.
 */
export class InvalidInput extends CairnError {
  constructor(
    label: string,
    readonly problem: string,
  ) {
    super(ErrorCodes.INVALID_INPUT, `Invalid ${label}: ${problem}`);
  }
}

/**
 * A checker for one kind of input: returns the input typed, or throws {@link InvalidInput}
 * naming each bad field. `label` names the input in the message (`observation [3]` for the
 * fourth of a batch); it defaults to what the input is.
 */
export function validator<T>(schema: object, what: string): (input: unknown, label?: string) => T {
  let validate: ValidateFunction | null = null;
  return (input: unknown, label = what): T => {
    validate ??= ajv.compile(schema);
    if (!validate(input)) {
      const problems = describeSchemaErrors(validate.errors ?? [], hints, what);
      throw new InvalidInput(label, `${problems.join('; ')}.`);
    }
    return input as T;
  };
}
