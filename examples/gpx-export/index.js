// Observations as GPX 1.1 waypoints, which GPS receivers and most GIS tools read. The format is
// contributed through the plugin's container rather than from activate(): the host constructs it,
// injecting the plugin's context, when `cairn export --format gpx` (or the Export dialog) first
// asks for it. Plain JavaScript has no decorator syntax, so decorate() applies them.
import { bindContribution, ContainerModule, decorate, ExportFormat, inject, injectable, PluginContext } from '@cairn/sdk';

export class GpxExportFormat {
  id = 'gpx';
  title = 'GPX waypoints';
  extensions = ['gpx'];

  constructor(ctx) {
    this.ctx = ctx;
  }

  async *write(request) {
    const { projectName } = await this.ctx.project.info();
    const categories = new Map((await request.presets()).map((preset) => [preset.id, preset.name]));
    yield Buffer.from(
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<gpx version="1.1" creator="Cairn" xmlns="http://www.topografix.com/GPX/1/1">\n' +
        `<metadata><name>${escapeXml(projectName)}</name></metadata>\n`,
    );
    let written = 0;
    for await (const page of request.pages()) {
      if (request.signal.aborted) return;
      yield Buffer.from(page.map((observation) => waypoint(observation, categories)).join(''));
      written += page.length;
      request.progress(written);
    }
    yield Buffer.from('</gpx>\n');
  }
}
decorate(injectable(), GpxExportFormat);
decorate(inject(PluginContext), GpxExportFormat, 0);

export const containerModule = new ContainerModule(({ bind }) => {
  bindContribution(bind, ExportFormat, GpxExportFormat);
});

/** A waypoint named after the observation's category, its notes as the description (GPX's order: time, name, desc). */
function waypoint(observation, categories) {
  const name = categories.get(observation.category) ?? observation.category ?? 'Observation';
  const description = observation.notes ? `<desc>${escapeXml(observation.notes)}</desc>` : '';
  return `<wpt lat="${observation.lat}" lon="${observation.lon}"><time>${observation.createdAt}</time><name>${escapeXml(name)}</name>${description}</wpt>\n`;
}

function escapeXml(text) {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
