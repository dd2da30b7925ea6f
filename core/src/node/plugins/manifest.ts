import { isAbsolute, normalize, sep } from 'node:path';
import { Ajv } from 'ajv';
import satisfies from 'semver/functions/satisfies.js';
import valid from 'semver/functions/valid.js';
import validRange from 'semver/ranges/valid.js';
import { SDK_VERSION, type PluginPackageJson } from '@cairn/sdk';
import { activatingContributions } from '../../common/activation-events.js';
import { whenClausePattern } from '../../common/workbench-contributions.js';
import { describeSchemaError } from '../json-schema.js';

const activationPrefixes = Object.values(activatingContributions);
const activationEventForms = ['onStartup', ...activationPrefixes.map((prefix) => `${prefix}:<id>`)];
const idPattern = '^[a-z0-9][a-z0-9._-]*$';
const activationEventPattern = `^(onStartup|${activationPrefixes.map((prefix) => `${prefix}:\\S+`).join('|')})$`;
const cliWordsPattern = '^[a-z][a-z0-9-]*( [a-z][a-z0-9-]*)*$';
const optionNamePattern = '^[a-z][a-z0-9-]*$';
const extensionPattern = '^[a-z0-9][a-z0-9.]*$';

/** What a pattern means, for error messages a plugin author can act on. */
const patternHints: Record<string, string> = {
  [idPattern]: "lowercase letters, digits, '.', '-' and '_', starting with a letter or digit",
  [activationEventPattern]: `${activationEventForms.slice(0, -1).join(', ')} or ${activationEventForms.at(-1)}`,
  [cliWordsPattern]: "lowercase words separated by single spaces, e.g. 'sync file'",
  [optionNamePattern]: "a lowercase name without leading dashes, e.g. 'wait-peers'",
  [extensionPattern]: "an extension without its dot, e.g. 'kml'",
  [whenClausePattern]: "'view == <view id>', the one condition the workbench knows",
  '^\\S+$': 'a non-empty id without spaces',
};

const text = { type: 'string', minLength: 1 } as const;
const id = { type: 'string', pattern: idPattern, maxLength: 64 } as const;
const commandId = { type: 'string', pattern: '^\\S+$' } as const;
const when = { type: 'string', pattern: whenClausePattern } as const;

const strictObject = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

const formatDeclarations = {
  type: 'array',
  items: strictObject(
    { id: commandId, title: text, extensions: { type: 'array', minItems: 1, items: { type: 'string', pattern: extensionPattern } } },
    ['id', 'title', 'extensions'],
  ),
} as const;

/** JSON schema of the parts of a plugin's package.json that Cairn reads. */
const pluginPackageSchema = {
  type: 'object',
  required: ['name', 'version', 'cairn'],
  properties: {
    name: text,
    version: text,
    description: { type: 'string' },
    cairn: strictObject(
      {
        id,
        displayName: text,
        description: { type: 'string' },
        engine: text,
        main: text,
        browser: text,
        activationEvents: { type: 'array', items: { type: 'string', pattern: activationEventPattern } },
        dependsOn: { type: 'array', items: id, uniqueItems: true },
        contributes: strictObject({
          commands: {
            type: 'array',
            items: strictObject({ id: commandId, title: text, category: { type: 'string' } }, ['id', 'title']),
          },
          views: {
            type: 'array',
            items: strictObject(
              {
                id: commandId,
                name: text,
                location: { enum: ['sidebar'] },
                icon: { type: 'string' },
                order: { type: 'number' },
              },
              ['id', 'name'],
            ),
          },
          cli: {
            type: 'array',
            items: strictObject(
              {
                command: { type: 'string', pattern: cliWordsPattern },
                run: commandId,
                description: text,
                arguments: {
                  type: 'array',
                  items: strictObject(
                    {
                      name: { type: 'string', pattern: optionNamePattern },
                      description: { type: 'string' },
                      required: { type: 'boolean' },
                      variadic: { type: 'boolean' },
                      type: { enum: ['string', 'path'] },
                    },
                    ['name'],
                  ),
                },
                options: {
                  type: 'array',
                  items: strictObject(
                    {
                      name: { type: 'string', pattern: optionNamePattern },
                      type: { enum: ['string', 'number', 'boolean', 'path'] },
                      repeatable: { type: 'boolean' },
                      required: { type: 'boolean' },
                      default: { type: ['string', 'number', 'boolean'] },
                      description: { type: 'string' },
                      valueName: { type: 'string' },
                    },
                    ['name'],
                  ),
                },
                output: { enum: ['result', 'events'] },
              },
              ['command', 'run', 'description'],
            ),
          },
          configuration: strictObject(
            {
              title: { type: 'string' },
              properties: {
                type: 'object',
                additionalProperties: strictObject(
                  {
                    type: { enum: ['string', 'number', 'integer', 'boolean', 'array', 'object'] },
                    default: {},
                    description: { type: 'string' },
                    enum: { type: 'array' },
                    minimum: { type: 'number' },
                    maximum: { type: 'number' },
                  },
                  ['type'],
                ),
              },
            },
            ['properties'],
          ),
          syncTransports: {
            type: 'array',
            items: strictObject({ id: commandId, title: text, description: { type: 'string' } }, ['id', 'title']),
          },
          exportFormats: formatDeclarations,
          importFormats: formatDeclarations,
          keybindings: {
            type: 'array',
            items: strictObject(
              { command: commandId, key: text, mac: { type: 'string' }, when },
              ['command', 'key'],
            ),
          },
          menus: strictObject({
            'view/title': {
              type: 'array',
              items: strictObject({ command: commandId, group: { type: 'string' }, when }, ['command']),
            },
          }),
        }),
      },
      ['id', 'displayName', 'engine'],
    ),
  },
} as const;

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validatePackage = ajv.compile(pluginPackageSchema);

/**
 * Checks a parsed package.json. Returns the problems, each naming the field
 * (`cairn.engine is required`), or an empty list.
 */
export function manifestProblems(packageJson: unknown): string[] {
  if (!validatePackage(packageJson)) {
    return (validatePackage.errors ?? []).map((error) => describeSchemaError(error, patternHints, 'package.json'));
  }
  const pkg = packageJson as unknown as PluginPackageJson;
  const { cairn } = pkg;
  const problems: string[] = [];
  if (valid(pkg.version) === null) problems.push(`version '${pkg.version}' is not a semver version`);
  if (validRange(cairn.engine) === null) {
    problems.push(`cairn.engine '${cairn.engine}' is not a semver range (write e.g. "^${SDK_VERSION}")`);
  }
  if (cairn.main === undefined && cairn.browser === undefined) {
    problems.push('cairn.main or cairn.browser is required (the entry file of the plugin)');
  }
  for (const field of ['main', 'browser'] as const) {
    const entry = cairn[field];
    if (entry !== undefined && !isInsidePackage(entry)) {
      problems.push(`cairn.${field} '${entry}' must be a relative path inside the plugin folder`);
    }
  }
  for (const key of Object.keys(activatingContributions) as Array<keyof typeof activatingContributions>) {
    problems.push(...duplicateIds(`cairn.contributes.${key}`, cairn.contributes?.[key]?.map((declared) => declared.id)));
  }
  problems.push(...duplicateIds('cairn.contributes.cli', cairn.contributes?.cli?.map((c) => c.command)));
  cairn.contributes?.cli?.forEach((cli, index) => {
    const args = cli.arguments ?? [];
    args.forEach((argument, position) => {
      if (argument.variadic && position !== args.length - 1) {
        problems.push(`cairn.contributes.cli[${index}].arguments[${position}] is variadic but not the last argument`);
      }
    });
  });
  return problems;
}

/** The problem with a plugin's `engine` range against this SDK, or null. */
export function engineProblem(engine: string): string | null {
  if (validRange(engine) === null) return null; // reported by manifestProblems
  if (satisfies(SDK_VERSION, engine, { includePrerelease: true })) return null;
  return `needs SDK ${engine}, but this Cairn provides SDK ${SDK_VERSION}; install a version of the plugin made for SDK ${SDK_VERSION}`;
}

function isInsidePackage(entry: string): boolean {
  if (isAbsolute(entry)) return false;
  const normalized = normalize(entry);
  return normalized !== '..' && !normalized.startsWith(`..${sep}`);
}

function duplicateIds(field: string, ids: string[] | undefined): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const value of ids ?? []) {
    if (seen.has(value)) problems.push(`${field} declares '${value}' twice`);
    seen.add(value);
  }
  return problems;
}
