import { inject, injectable } from '@cairn/sdk/inversify';
import {
  CairnError,
  ErrorCodes,
  ExportFormat,
  ImportFormat,
  toDisposable,
  type Disposable,
  type FormatInfo,
} from '@cairn/sdk';
import type { ExtensionPoint } from '../di/contributions.js';
import { PluginHost } from '../plugins/plugin-host.js';

type Kind = 'export' | 'import';
type FormatOf<K extends Kind> = K extends 'export' ? ExportFormat : ImportFormat;

const declarations = { export: 'exportFormats', import: 'importFormats' } as const;
const activation = { export: 'onExportFormat', import: 'onImportFormat' } as const;

/**
 * The file formats enabled plugins offer, for export or for import. Declared formats are listed
 * before their plugin is active, and asking for one activates it. Disabling a plugin withdraws
 * its formats.
 */
class FormatTable<K extends Kind> {
  private readonly formats = new Map<string, { owner: string; format: FormatOf<K> }>();

  constructor(
    private readonly kind: K,
    private readonly plugins: PluginHost,
  ) {}

  register(owner: string, format: FormatOf<K>): Disposable {
    const method = this.kind === 'export' ? 'write' : 'read';
    if (typeof format?.id !== 'string' || typeof (format as unknown as Record<string, unknown>)[method] !== 'function') {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `Plugin '${owner}' registered an ${this.kind} format without an id or a ${method}() method.`);
    }
    const existing = this.formats.get(format.id);
    if (existing !== undefined) {
      throw new CairnError(ErrorCodes.INVALID_INPUT, `The ${this.kind} format '${format.id}' is already registered by '${existing.owner}'.`);
    }
    const entry = { owner, format };
    this.formats.set(format.id, entry);
    return toDisposable(() => {
      if (this.formats.get(format.id) === entry) this.formats.delete(format.id);
    });
  }

  list(): FormatInfo[] {
    const infos = new Map<string, FormatInfo>();
    for (const plugin of this.plugins.known()) {
      if (!plugin.usable) continue;
      for (const declared of plugin.manifest?.contributes?.[declarations[this.kind]] ?? []) {
        infos.set(declared.id, { id: declared.id, title: declared.title, extensions: [...declared.extensions], owner: plugin.id });
      }
    }
    for (const [id, { owner, format }] of this.formats) {
      const extensions = 'extensions' in format ? [...format.extensions] : [(format as ExportFormat).extension];
      infos.set(id, { id, title: format.title, extensions, owner });
    }
    return [...infos.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<FormatOf<K>> {
    const event = `${activation[this.kind]}:${id}`;
    if (!this.formats.has(id)) await this.plugins.activateByEvent(event);
    const entry = this.formats.get(id);
    if (entry !== undefined) return entry.format;
    const provider = this.plugins.providerOf(event);
    const known = this.list().map((format) => format.id);
    throw (
      (provider && this.plugins.unavailableError(provider.id, `The ${this.kind} format '${id}'`)) ??
      new CairnError(ErrorCodes.INVALID_INPUT, `There is no ${this.kind} format '${id}'; ${known.length ? `give one of ${known.join(', ')}` : 'no enabled plugin offers one'}.`)
    );
  }
}

@injectable()
export class FormatRegistry {
  readonly exports: FormatTable<'export'>;
  readonly imports: FormatTable<'import'>;

  constructor(@inject(PluginHost) plugins: PluginHost) {
    this.exports = new FormatTable('export', plugins);
    this.imports = new FormatTable('import', plugins);
  }
}

/** Feeds `ExportFormat` contributions (DI) into the registry. */
@injectable()
export class ExportFormatExtensionPoint implements ExtensionPoint {
  readonly point = ExportFormat;
  constructor(@inject(FormatRegistry) private readonly registry: FormatRegistry) {}
  consume(owner: string, contributor: unknown): Disposable {
    return this.registry.exports.register(owner, contributor as ExportFormat);
  }
}

/** Feeds `ImportFormat` contributions (DI) into the registry. */
@injectable()
export class ImportFormatExtensionPoint implements ExtensionPoint {
  readonly point = ImportFormat;
  constructor(@inject(FormatRegistry) private readonly registry: FormatRegistry) {}
  consume(owner: string, contributor: unknown): Disposable {
    return this.registry.imports.register(owner, contributor as ImportFormat);
  }
}
