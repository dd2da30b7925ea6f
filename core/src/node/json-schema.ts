import type { ErrorObject } from 'ajv';

/**
 * Turns ajv's errors into sentences that name the field the way a user wrote it:
 * `cairn.contributes.commands[0].title is required`, `lat must be at most 90`.
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[],
  patternHints: Readonly<Record<string, string>> = {},
  root = 'input',
): string[] {
  // An anyOf failure comes with one error per branch; the anyOf error alone says it best.
  const anyOfPaths = new Set(errors.filter((error) => error.keyword === 'anyOf').map((error) => error.instancePath));
  const kept = errors.filter((error) => error.keyword === 'anyOf' || !anyOfPaths.has(error.instancePath));
  return [...new Set(kept.map((error) => describeSchemaError(error, patternHints, root)))];
}

export function describeSchemaError(
  error: ErrorObject,
  patternHints: Readonly<Record<string, string>> = {},
  root = 'input',
): string {
  const field = fieldPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  const at = (name: string) => (field ? `${field}.${name}` : name);
  const subject = field || root;
  switch (error.keyword) {
    case 'required':
      return `${at(String(params.missingProperty))} is required`;
    case 'additionalProperties':
      return `${at(String(params.additionalProperty))} is not a known field`;
    case 'type':
      return `${subject} must be ${article(String(params.type))}`;
    case 'pattern':
      return `${subject} must be ${patternHints[String(params.pattern)] ?? `like ${String(params.pattern)}`}`;
    case 'minLength':
      return Number(params.limit) === 1 ? `${subject} must not be empty` : `${subject} must be at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `${subject} must be at most ${String(params.limit)} characters`;
    case 'minimum':
      return `${subject} must be at least ${String(params.limit)}`;
    case 'maximum':
      return `${subject} must be at most ${String(params.limit)}`;
    case 'minItems':
      return `${subject} must have at least ${String(params.limit)} item(s)`;
    case 'enum':
      return `${subject} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'uniqueItems':
      return `${subject} lists the same value twice`;
    case 'anyOf':
      return `${subject} ${error.parentSchema?.description ?? 'is not valid'}`;
    default:
      return `${subject} ${error.message ?? 'is not valid'}`;
  }
}

/** `/cairn/contributes/commands/0/id` → `cairn.contributes.commands[0].id`. */
function fieldPath(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function article(type: string): string {
  const kinds = type.split(',');
  return kinds.map((kind) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`)).join(' or ');
}
