/**
 * The page that shows one sweep, for the dashboard and for `sweep report` alike: the view as JSON in a
 * data block, the inlined browser script that draws it, and the styles. The dashboard adds the URL of its
 * event stream, which the script follows to redraw as trials report.
 */
import { browserScript } from "./browser-script.js";
import { escapeHtml } from "./html/escape.js";
import type { SweepView } from "./sweep-view.js";

export interface ExplorerPageOptions {
  readonly title: string;
  readonly view: SweepView;
  /** Server-sent events with the sweep's view (dashboard only). */
  readonly eventsUrl?: string;
  /** A link back to the list of sweeps (dashboard only). */
  readonly homeUrl?: string;
}

/**
 * JSON that can sit inside a `<script type="application/json">` block: `<`, `>` and `&` escaped as \u003c
 * etc., so no value can close the block or open a comment, and U+2028/2029 escaped for old parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function explorerPage(options: ExplorerPageOptions): string {
  const connect = options.eventsUrl ? "'self'" : "'none'";
  const attrs = [
    options.eventsUrl ? ` data-events="${escapeHtml(options.eventsUrl)}"` : "",
    options.homeUrl ? ` data-home="${escapeHtml(options.homeUrl)}"` : "",
  ].join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; connect-src ${connect}">
<title>${escapeHtml(options.title)}</title>
<style>${EXPLORER_STYLE}</style>
</head>
<body${attrs}>
<div id="app"><noscript><p>The charts and tables of this page are drawn by its inline script: open it in a browser with JavaScript on. The data is in the <code>sweep-view</code> JSON block of this file.</p></noscript></div>
<script type="application/json" id="sweep-view">${jsonForScript(options.view)}</script>
<script>(function () {
${browserScript().replace(/<\/(script)/gi, "<\\/$1")}
})();</script>
</body>
</html>
`;
}

export const EXPLORER_STYLE = `
:root { --fg: #1d2230; --muted: #667085; --line: #d0d5dd; --accent: #d62728; --point: #3b528b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; color: var(--fg); background: #fff; }
#app { max-width: 1440px; margin: 0 auto; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); position: sticky; top: 0; background: #fff; z-index: 5; }
header h1 { margin: 0 0 4px; font-size: 20px; word-break: break-word; }
header .facts { color: var(--muted); margin: 0 0 6px; }
.counts { margin: 0 0 6px; display: flex; flex-wrap: wrap; gap: 6px; }
.chip { border-radius: 10px; padding: 1px 9px; font-size: 12px; background: #f2f4f7; }
.chip.running { background: #d1e9ff; } .chip.completed { background: #e0e7ff; } .chip.pruned { background: #f2f4f7; color: #475467; }
.chip.failed { background: #fee4e2; color: #b42318; } .chip.interrupted { background: #fef0c7; }
.live { font-size: 12px; font-weight: normal; padding: 2px 8px; border-radius: 10px; background: #f2f4f7; vertical-align: middle; }
.live.live { background: #d1fadf; color: #05603a; } .live.lost { background: #fee4e2; color: #b42318; }
nav a { margin-right: 14px; color: var(--point); text-decoration: none; font-size: 13px; white-space: nowrap; }
main { padding: 8px 24px 40px; }
section { margin-top: 26px; scroll-margin-top: 130px; }
h2 { font-size: 16px; margin: 0 0 8px; }
.note { color: var(--muted); font-size: 12px; max-width: 860px; }
.note.inline { display: inline; }
.warn { display: inline-block; margin: 0 0 4px; font-size: 12px; padding: 1px 8px; border-radius: 10px; background: #fef0c7; color: #93370d; }
.scroll { overflow-x: auto; }
.controls { margin: 4px 0 8px; font-size: 13px; }
.controls select, .controls input { font: inherit; padding: 2px 6px; }
.controls input[type=search] { width: 280px; }
button.link { border: 0; background: none; color: var(--point); text-decoration: underline; cursor: pointer; font: inherit; padding: 0; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eaecf0; text-align: left; white-space: nowrap; }
th { background: #f9fafb; font-weight: 600; position: sticky; top: 0; }
th.sortable { cursor: pointer; user-select: none; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best-row td { background: #fff8e1; }
td.st.failed { color: #b42318; } td.st.pruned { color: #667085; } td.st.running { color: #175cd3; }
.table-wrap { max-height: 70vh; overflow: auto; border: 1px solid #eaecf0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.legend-row { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: var(--muted); margin: 4px 0 0 64px; }
.slots { display: flex; flex-wrap: wrap; gap: 10px; }
.slot { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; width: 250px; font-size: 12px; }
.slot-gpu { font-weight: 600; font-size: 13px; }
.slot-trial { white-space: nowrap; overflow: hidden; }
.progress { height: 6px; background: #eaecf0; border-radius: 3px; margin: 6px 0 4px; overflow: hidden; }
.progress span { display: block; height: 100%; background: #2e90fa; }
.slices { display: flex; flex-wrap: wrap; gap: 8px; }
figure.slice { margin: 0; }
label.toggle { font-size: 13px; }
svg.chart { display: block; font-size: 11px; overflow: visible; }
svg text { font-family: inherit; }
svg .grid { stroke: #eef0f3; }
svg .axis, svg .tick-mark { stroke: #98a2b3; }
svg .tick { fill: var(--muted); }
svg .tick.label { fill: var(--fg); }
svg .pc-axis .tick, svg .pc-axis .axis-title { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .axis-title, svg .legend-title { fill: var(--fg); font-weight: 600; font-size: 12px; }
svg .legend-title { font-size: 11px; }
svg .legend text { fill: var(--muted); }
svg .pt { fill: var(--point); fill-opacity: .75; stroke: #fff; stroke-width: 1; }
svg .pt.pruned, svg .pt.interrupted { fill: #fff; stroke: #98a2b3; stroke-width: 1.5; }
svg .pt.hollow { stroke-width: 1.5; }
svg .pt.ramp { fill-opacity: .9; }
svg .pt.best { fill: var(--accent); fill-opacity: 1; }
svg .contour-pt { fill: #fff; stroke: #1d2230; stroke-width: 1.2; fill-opacity: .9; }
svg .best-line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .pc-line { fill: none; stroke-opacity: .85; }
svg .pc-line.dim { stroke-opacity: .07; }
svg .pc-line.best { stroke: var(--accent) !important; stroke-opacity: 1; }
svg .brush-hit { fill: transparent; cursor: ns-resize; }
svg .brush { fill: #2e90fa; fill-opacity: .18; stroke: #2e90fa; stroke-width: 1; pointer-events: none; }
svg .bar { fill: #7f8fb5; } svg .bar.up { fill: #12b76a; } svg .bar.down { fill: #f79009; } svg .bar.preliminary { fill-opacity: .55; }
svg .box { fill: none; stroke-width: 1.2; }
svg .curve { fill: none; stroke-opacity: .75; }
svg .curve.pruned, svg .curve.failed, svg .curve.interrupted { stroke-opacity: .55; }
svg .curve.best { stroke-opacity: 1; }
svg .prune-mark { stroke: #475467; stroke-width: 1.6; }
svg .span-label { fill: #fff; font-size: 10px; pointer-events: none; }
svg [data-tip]:hover { stroke-width: 3; }
#tip { position: fixed; pointer-events: none; background: #1d2230; color: #fff; padding: 6px 8px; border-radius: 4px;
  font-size: 12px; white-space: pre; max-width: 520px; overflow: hidden; z-index: 10; }
`;
