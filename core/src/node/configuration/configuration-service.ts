import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  Emitter,
  ErrorCodes,
  type ConfigurationChange,
  type ConfigurationPropertyDeclaration,
} from '@cairn/sdk';
import { HostConfig } from '../host-config.js';
import { PluginHost } from '../plugins/plugin-host.js';
import { readJsonFile, writeFileAtomic } from '../fs-util.js';

export interface ConfigurationProperty extends ConfigurationPropertyDeclaration {
  key: string;
  /** The plugin that declares the setting. */
  owner: string;
}

/**
 * Settings declared by plugins (`contributes.configuration`), with the user's values in
 * `<dataDir>/settings.json`. A value is checked against its declaration before it is stored.
 */
@injectable()
export class ConfigurationService {
  private values: Record<string, unknown> | null = null;
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly onDidChangeEmitter = new Emitter<ConfigurationChange>();
  readonly onDidChange = this.onDidChangeEmitter.event;
  readonly path: string;

  constructor(
    @inject(HostConfig) config: HostConfig,
    @inject(PluginHost) private readonly plugins: PluginHost,
  ) {
    this.path = join(config.dataDir, 'settings.json');
  }

  /** The settings declared by enabled plugins. */
  properties(): ConfigurationProperty[] {
    const properties: ConfigurationProperty[] = [];
    for (const plugin of this.plugins.known()) {
      if (!plugin.info.enabled) continue;
      for (const [key, declaration] of Object.entries(plugin.manifest?.contributes?.configuration?.properties ?? {})) {
        properties.push({ ...declaration, key, owner: plugin.id });
      }
    }
    return properties;
  }

  /** The user's value, else the declared default. Needs `load()` to have run (the host does it at start). */
  get<T = unknown>(key: string): T | undefined {
    const values = this.values ?? {};
    if (key in values) return values[key] as T;
    return this.property(key)?.default as T | undefined;
  }

  async update(key: string, value: unknown): Promise<void> {
    const property = this.property(key);
    if (property === undefined) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `There is no setting '${key}' (is the plugin that declares it enabled?).`);
    }
    const validate = this.validatorFor(property);
    if (!validate(value)) {
      const reason = validate.errors?.map((error) => error.message).join('; ') ?? 'is not valid';
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Setting '${key}' ${reason}; got ${JSON.stringify(value)}.`);
    }
    const values = { ...(await this.load()), [key]: value };
    await writeFileAtomic(this.path, `${JSON.stringify(values, null, 2)}\n`);
    this.values = values;
    this.onDidChangeEmitter.fire({ key, value });
  }

  dispose(): void {
    this.onDidChangeEmitter.dispose();
  }

  private property(key: string): ConfigurationProperty | undefined {
    return this.properties().find((property) => property.key === key);
  }

  private validatorFor(property: ConfigurationProperty): ValidateFunction {
    const cacheKey = `${property.owner}\u0000${property.key}`;
    let validate = this.validators.get(cacheKey);
    if (validate === undefined) {
      const { type, enum: allowed, minimum, maximum } = property;
      validate = this.ajv.compile({ type, enum: allowed, minimum, maximum });
      this.validators.set(cacheKey, validate);
    }
    return validate;
  }

  /** Reads settings.json; a damaged file is an error rather than silently replaced. */
  async load(): Promise<Record<string, unknown>> {
    if (this.values !== null) return this.values;
    let stored: unknown;
    try {
      stored = await readJsonFile(this.path);
    } catch (error) {
      if (error instanceof SyntaxError) {
        throw new CairnError(
          ErrorCodes.INVALID_INPUT,
          `${this.path} is not valid JSON (${error.message}). Fix or remove the file; Cairn does not overwrite it.`,
        );
      }
      throw error;
    }
    this.values = typeof stored === 'object' && stored !== null && !Array.isArray(stored) ? (stored as Record<string, unknown>) : {};
    return this.values;
  }
}
