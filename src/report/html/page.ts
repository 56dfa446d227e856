/**
 * The report's page shell: inline styles and the one small script (hover tooltips). Nothing is fetched:
 * the file is complete on its own, can be mailed or archived, and opens offline.
 */
import { escapeHtml } from "./escape.js";

export interface Section {
  readonly id: string;
  readonly title: string;
  /** Markup, already escaped. */
  readonly body: string;
}

export function page(title: string, header: string, sections: readonly Section[]): string {
  const nav = sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join("");
  const body = sections.map((s) => `<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>${s.body}</section>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>${header}<nav>${nav}</nav></header>
<main>
${body}
</main>
<div id="tip" hidden></div>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --fg: #1d2230; --muted: #667085; --line: #d0d5dd; --accent: #d62728; --point: #3b528b; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans KR", sans-serif; color: var(--fg); background: #fff; }
header { padding: 16px 24px 8px; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .facts { color: var(--muted); margin: 0 0 8px; }
nav a { margin-right: 14px; color: var(--point); text-decoration: none; font-size: 13px; }
main { padding: 8px 24px 40px; }
section { margin-top: 24px; }
h2 { font-size: 16px; margin: 0 0 8px; }
h3 { font-size: 14px; margin: 12px 0 4px; }
.note { color: var(--muted); font-size: 12px; max-width: 760px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eaecf0; text-align: left; white-space: nowrap; }
th { background: #f9fafb; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.best-row td { background: #fff8e1; }
.slices { display: flex; flex-wrap: wrap; gap: 8px; }
figure.slice { margin: 0; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 11px; }
svg .grid { stroke: #eef0f3; }
svg .axis, svg .tick-mark { stroke: #98a2b3; }
svg .tick { fill: var(--muted); }
svg .pc-axis .tick, svg .pc-axis .axis-title { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
svg .axis-title { fill: var(--fg); font-weight: 600; }
svg .legend text { fill: var(--muted); }
svg .pt { fill: var(--point); fill-opacity: .75; stroke: #fff; stroke-width: 1; }
svg .pt.pruned { fill: #fff; stroke: #98a2b3; stroke-width: 1.5; }
svg .pt.ramp { fill-opacity: .85; }
svg .pt.best { fill: var(--accent); fill-opacity: 1; }
svg .best-line { fill: none; stroke: var(--accent); stroke-width: 2; }
svg .pc-line { fill: none; stroke-width: 1.4; stroke-opacity: .7; }
svg .pc-line.best { stroke: var(--accent) !important; stroke-width: 3; stroke-opacity: 1; }
svg .bar { fill: var(--point); }
svg .curve { fill: none; stroke: var(--point); stroke-width: 1.2; stroke-opacity: .6; }
svg .curve.pruned, svg .curve.failed, svg .curve.running, svg .curve.interrupted, svg .curve.queued { stroke: #98a2b3; stroke-dasharray: 4 3; }
svg .curve.best { stroke: var(--accent); stroke-width: 2.5; stroke-opacity: 1; }
svg .prune-mark { stroke: #667085; stroke-width: 1.5; }
svg [data-tip]:hover { stroke-width: 3; }
#tip { position: fixed; pointer-events: none; background: #1d2230; color: #fff; padding: 6px 8px; border-radius: 4px;
  font-size: 12px; white-space: pre; max-width: 480px; overflow: hidden; z-index: 10; }
`;

/**
 * Hover tooltips from `data-tip` attributes. The text is set with textContent, never parsed as markup, so
 * a parameter value cannot inject anything even after the browser unescapes the attribute.
 */
const SCRIPT = `
(function () {
  var tip = document.getElementById("tip");
  document.addEventListener("mouseover", function (e) {
    var target = e.target.closest ? e.target.closest("[data-tip]") : null;
    if (!target) { tip.hidden = true; return; }
    tip.textContent = target.getAttribute("data-tip");
    tip.hidden = false;
  });
  document.addEventListener("mousemove", function (e) {
    if (tip.hidden) return;
    var x = Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8);
    var y = Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 8);
    tip.style.left = x + "px";
    tip.style.top = y + "px";
  });
})();
`;
