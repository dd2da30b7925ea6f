/** The plugin's styles, in the workbench's colours (its CSS variables follow the theme). */
export const styles = `
.map-editor { position: relative; height: 100%; min-height: 240px; overflow: hidden; }
.map-surface { position: absolute; inset: 0; background: #d7e6ef; outline: none; }
.map-surface:focus-visible { box-shadow: inset 0 0 0 2px var(--focus); }
.map-surface canvas { display: block; }
.map-tooltip { position: absolute; z-index: 2; max-width: 280px; padding: 6px 8px; pointer-events: none; background: var(--bg); color: var(--fg); border: 1px solid var(--border); border-radius: 4px; box-shadow: 0 2px 8px var(--shadow); font-size: 12px; }
.map-box { position: absolute; z-index: 2; border: 1px dashed #1d3b53; background: rgba(29, 59, 83, 0.12); pointer-events: none; }
.map-status { position: absolute; top: 8px; left: 50%; transform: translateX(-50%); z-index: 2; color: #1d2b36; font-size: 12px; background: rgba(255, 255, 255, 0.85); border-radius: 4px; padding: 2px 8px; }
.map-status:empty { display: none; }
.map-attribution { position: absolute; right: 0; bottom: 0; z-index: 2; font-size: 11px; padding: 1px 6px; color: #333; background: rgba(255, 255, 255, 0.8); }
.map-legend { list-style: none; margin: 0; padding: 0; }
.map-legend li { display: flex; gap: 6px; align-items: center; padding: 2px 0; }
.map-legend-overlay { position: absolute; left: 8px; bottom: 8px; z-index: 2; padding: 6px 8px; background: rgba(255, 255, 255, 0.88); color: #1d2b36; border-radius: 4px; font-size: 12px; max-height: 50%; overflow: auto; }
.map-legend-overlay .map-meta { color: #55606a; }
.map-swatch { flex: none; width: 10px; height: 10px; border-radius: 50%; border: 1px solid rgba(255, 255, 255, 0.9); box-shadow: 0 0 0 1px rgba(0, 0, 0, 0.25); }
.map-meta { color: var(--fg-muted); margin-left: auto; padding-left: 8px; }
.map-legend-item { display: flex; gap: 6px; align-items: center; width: 100%; border: none; background: none; color: inherit; font: inherit; padding: 1px 2px; cursor: pointer; text-align: left; }
.map-legend-item:hover { text-decoration: underline; }
.map-legend-off { opacity: 0.45; }
.map-legend-off .map-legend-name { text-decoration: line-through; }
.map-zoom { position: absolute; top: 8px; right: 8px; z-index: 2; display: flex; flex-direction: column; border-radius: 4px; overflow: hidden; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3); }
.map-zoom button { width: 30px; height: 30px; border: none; border-bottom: 1px solid #ccc; background: #fff; color: #1d2b36; font-size: 18px; line-height: 1; cursor: pointer; }
.map-zoom button:last-child { border-bottom: none; font-size: 15px; }
.map-zoom button:hover { background: #eef3f6; }
.map-view-actions { display: flex; flex-direction: column; gap: 6px; padding: 8px 12px; }
.map-layers { border: none; margin: 0; padding: 4px 12px; display: flex; flex-direction: column; gap: 4px; }
.map-layers legend, .map-heading { font-size: 11px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--fg-muted); padding: 0; margin: 8px 0 4px; }
.map-heading { margin: 12px 12px 4px; }
.map-layer { display: flex; gap: 6px; align-items: center; }
.map-basemap { display: flex; align-items: center; justify-content: space-between; gap: 6px; }
.map-remove { border: none; background: none; color: var(--fg-muted); cursor: pointer; font-size: 16px; line-height: 1; padding: 0 4px; }
.map-remove:hover, .map-remove:focus-visible { color: var(--error); }
.map-view-legend, .map-panel .map-legend { padding: 0 12px; }
.map-hint { color: var(--fg-muted); font-size: 12px; padding: 8px 12px; margin: 0; }
.map-sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
