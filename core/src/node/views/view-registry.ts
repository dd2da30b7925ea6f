import { inject, injectable } from '@cairn/sdk/inversify';
import type { ViewDeclaration } from '@cairn/sdk';
import { ContributionTable, contributionPoints } from '../contributions/contribution-table.js';
import { PluginHost } from '../plugins/plugin-host.js';

export interface ViewInfo extends ViewDeclaration {
  owner: string;
}

/** The views that enabled plugins contribute to the workbench. */
@injectable()
export class ViewRegistry {
  private readonly table: ContributionTable<'views'>;

  constructor(@inject(PluginHost) private readonly plugins: PluginHost) {
    this.table = new ContributionTable(plugins, contributionPoints.views);
  }

  /** In their declared order (lower first), then in the plugins' order. */
  list(): ViewInfo[] {
    return this.table
      .declared()
      .map((view, index) => ({ view, index }))
      .sort((a, b) => (a.view.order ?? 100) - (b.view.order ?? 100) || a.index - b.index)
      .map(({ view }) => view);
  }

  /** Activates the view's plugin and returns the view; a coded error says why it is unavailable. */
  async open(id: string): Promise<ViewInfo> {
    const view = this.list().find((candidate) => candidate.id === id);
    if (view === undefined) throw this.table.unavailable(id);
    await this.plugins.activate(view.owner);
    return view;
  }
}
