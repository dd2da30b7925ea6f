/** The plugin's styles, in the workbench's colours (its CSS variables follow the theme). */
export const styles = `
.obs-list { display: flex; flex-direction: column; height: 100%; min-height: 0; }
.obs-toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 8px; border-bottom: 1px solid var(--border); }
.obs-toolbar input, .obs-toolbar select { max-width: 180px; padding: 3px 4px; }
.obs-toolbar .obs-search { flex: 0 1 150px; min-width: 80px; }
.obs-toolbar select { flex: 0 1 auto; min-width: 90px; }
.obs-toolbar input[type='date'] { width: 122px; }
.obs-toolbar .obs-count { white-space: nowrap; }
.obs-empty { padding: 16px 12px; color: var(--fg-muted); display: flex; gap: 8px; align-items: center; }
.obs-empty button { align-self: auto; }
.obs-toolbar button { padding-left: 10px; padding-right: 10px; }
.obs-inline { display: inline-flex; gap: 4px; align-items: center; color: var(--fg-muted); }
.obs-spacer { flex: 1; }
.obs-count { color: var(--fg-muted); }
.obs-chip { border-radius: 12px; padding: 2px 10px; }
.obs-grid { flex: 1; display: flex; flex-direction: column; min-height: 0; outline: none; }
.obs-grid:focus-visible { box-shadow: inset 0 0 0 1px var(--focus); }
.obs-grid-head { border-bottom: 1px solid var(--border); }
.obs-grid-body { flex: 1; overflow: auto; position: relative; min-height: 120px; }
.obs-grid-spacer { position: relative; }
.obs-grid-row { display: grid; height: 28px; align-items: center; cursor: default; }
.obs-grid-body .obs-grid-row { position: absolute; left: 0; right: 0; }
.obs-grid-body .obs-grid-row:hover { background: var(--bg-side); }
.obs-grid-row.active { background: color-mix(in srgb, var(--focus) 18%, transparent) !important; }
.obs-grid-row.forked .obs-grid-cell:first-child::after { content: ' ⑂'; color: var(--warn); }
.obs-grid-cell { padding: 0 8px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.obs-grid-header .obs-grid-cell { padding: 0 2px; }
.obs-sort { background: none; border: none; color: inherit; font: inherit; font-weight: 600; width: 100%; text-align: left; padding: 4px 6px; cursor: pointer; }
.obs-category { display: inline-flex; gap: 6px; align-items: center; }
.obs-icon { flex: none; display: inline-block; vertical-align: middle; }
.obs-icon-dot { border-radius: 50%; margin: 0 4px; }
.obs-icon-disc { display: inline-flex; align-items: center; justify-content: center; border: 2px solid; border-radius: 50%; background: #fff; box-sizing: border-box; }
.obs-export { display: flex; flex-direction: column; gap: 10px; }
.obs-export-where { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.obs-export-folder { font: 12px var(--mono); word-break: break-all; }
.obs-export-where button { align-self: auto; }
.obs-actions-end { justify-content: flex-end; margin-bottom: 0; }
.obs-detail { overflow: auto; height: 100%; }
.obs-detail-inner { max-width: 760px; padding: 12px 20px 40px; }
.obs-title { display: flex; gap: 8px; align-items: center; margin: 4px 0; }
.obs-meta { color: var(--fg-muted); }
.obs-form .field, .obs-form fieldset { display: flex; flex-direction: column; gap: 2px; margin: 8px 0; }
.obs-form-pair { display: flex; gap: 12px; }
.obs-form-pair .field { flex: 1; }
.obs-check { flex-direction: row !important; align-items: center; gap: 6px !important; }
.obs-option { display: inline-flex; gap: 4px; margin-right: 12px; }
.obs-help { color: var(--fg-muted); }
.obs-other-tags dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
.obs-other-tags dt { color: var(--fg-muted); }
.obs-actions { display: flex; gap: 8px; align-items: center; margin: 12px 0; flex-wrap: wrap; }
.obs-danger { color: var(--error); }
.primary.obs-danger { background: var(--error); color: #fff; }
.obs-fork-banner { border: 1px solid var(--warn); border-left-width: 4px; padding: 8px 12px; margin: 8px 0; background: color-mix(in srgb, var(--warn) 10%, transparent); }
.obs-version { display: flex; gap: 8px; align-items: center; justify-content: space-between; margin: 4px 0; }
.obs-notice { border-left: 4px solid var(--focus); padding: 6px 10px; margin: 8px 0; }
.obs-confirm { border: 1px solid var(--error); padding: 8px 12px; margin: 8px 0; }
.obs-photos { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.obs-photo { width: 120px; height: 90px; padding: 0; overflow: hidden; font-size: 11px; }
.obs-photo img { width: 100%; height: 100%; object-fit: cover; }
.obs-photo-full { position: fixed; inset: 0; background: rgba(0,0,0,0.85); display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 8px; z-index: 1000; }
.obs-photo-full img { max-width: 95vw; max-height: 85vh; }
.obs-history li { margin: 4px 0; }
.obs-json { display: flex; flex-direction: column; height: 100%; padding: 0 12px; }
.obs-monaco { flex: 1; min-height: 240px; border: 1px solid var(--border); }
.obs-review { border: 1px solid var(--focus); padding: 8px 12px; margin: 4px 0 8px; }
.obs-view-actions { display: flex; flex-direction: column; gap: 6px; padding: 8px 12px; }
.obs-view-heading { margin: 8px 12px 4px; font-size: 12px; text-transform: uppercase; color: var(--fg-muted); }
.obs-categories { list-style: none; padding: 0 4px; margin: 0; }
.obs-category-button { display: flex; width: 100%; gap: 8px; align-items: center; background: none; border: none; color: inherit; font: inherit; padding: 4px 8px; cursor: pointer; text-align: left; }
.obs-category-button:hover { background: var(--bg-tab); }
.obs-category-button span:nth-child(2) { flex: 1; }
`;
