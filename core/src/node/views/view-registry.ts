import { inject, injectable } from '@cairn/sdk/inversify';
import { CairnError, ErrorCodes, type ViewDeclaration } from '@cairn/sdk';
import { PluginHost } from '../plugins/plugin-host.js';

export interface ViewInfo extends ViewDeclaration {
  owner: string;
}

/** The views that enabled plugins contribute to the workbench. */
@injectable()
export class ViewRegistry {
  constructor(@inject(PluginHost) private readonly plugins: PluginHost) {}

  /** In their declared order (lower first), then in the plugins' order. */
  list(): ViewInfo[] {
    return this.plugins
      .known()
      .filter((plugin) => plugin.usable)
      .flatMap((plugin) => (plugin.manifest?.contributes?.views ?? []).map((view) => ({ ...view, owner: plugin.id })))
      .map((view, index) => ({ view, index }))
      .sort((a, b) => (a.view.order ?? 100) - (b.view.order ?? 100) || a.index - b.index)
      .map(({ view }) => view);
  }

  /** Activates the view's plugin (`onView:<id>`) and returns the view. */
  async open(id: string): Promise<ViewInfo> {
    const provider = this.plugins.providerOf(`onView:${id}`);
    const unavailable = provider && this.plugins.unavailableError(provider.id, `View '${id}'`);
    if (unavailable) throw unavailable;
    const view = this.list().find((candidate) => candidate.id === id);
    if (view === undefined) throw new CairnError(ErrorCodes.NOT_FOUND, `There is no view '${id}'.`);
    await this.plugins.activate(view.owner);
    return view;
  }
}
