/**
 * `/`: the sweeps in the storage, newest first, each linking to its live page. Server-rendered (every value
 * escaped): it is a plain list and needs no script.
 */
import { escapeHtml } from "../html/escape.js";
import { EXPLORER_STYLE } from "../explorer-page.js";
import { describeCounts, type SweepSummary } from "../summary.js";
import { formatNumber } from "../table.js";

export function homePage(location: string, sweeps: readonly SweepSummary[]): string {
  const rows = sweeps.map((s) => {
    const metric = s.metric ? `${s.metric.name} (${s.metric.goal === "maximize" ? "max" : "min"})` : "";
    const cells = [
      `<td><a href="/sweeps/${encodeURIComponent(s.id)}">${escapeHtml(s.id)}</a></td>`,
      `<td title="${escapeHtml(s.name ?? "")}">${escapeHtml(s.name ?? "")}</td>`,
      `<td>${escapeHtml(s.method)}</td>`,
      `<td>${escapeHtml(s.status)}${s.stale ? " (stale)" : ""}</td>`,
      `<td class="num">${s.trials}</td>`,
      `<td>${escapeHtml(metric)}</td>`,
      `<td class="num">${s.best ? escapeHtml(formatNumber(s.best.value)) : ""}</td>`,
      `<td>${escapeHtml(describeCounts(s.counts))}</td>`,
      `<td>${escapeHtml(s.createdAt.replace("T", " ").slice(0, 19))}</td>`,
    ];
    return `<tr data-sweep="${escapeHtml(s.id)}">${cells.join("")}</tr>`;
  });
  const table = sweeps.length
    ? `<div class="scroll"><table id="sweeps"><thead><tr><th>id</th><th>name</th><th>method</th><th>status</th><th class="num">trials</th><th>metric</th><th class="num">best</th><th>counts</th><th>created (UTC)</th></tr></thead><tbody>${rows.join("")}</tbody></table></div>`
    : `<p class="note">No sweeps in this storage yet. Start one with <code>sweep run FILE</code>; this page lists it on reload.</p>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>sweeps — sweep dashboard</title>
<style>${EXPLORER_STYLE} td { max-width: 420px; overflow: hidden; text-overflow: ellipsis; }</style>
</head>
<body>
<div id="app"><header><h1>Sweeps</h1><p class="facts">${escapeHtml(location)} · read-only · <a href="/api/sweeps">/api/sweeps</a></p></header>
<main>${table}</main></div>
</body>
</html>
`;
}
