/**
 * Hyperparameter importance as horizontal bars, with the method, γ and trial counts written under it so
 * the numbers are not mistaken for something they are not.
 */
import type { ImportanceResult } from "../importance.js";
import { escapeHtml } from "./escape.js";
import { el, svg, text } from "./svg.js";

export function importanceChart(result: ImportanceResult): string {
  if ("unavailable" in result) return `<p class="note">No importance: ${escapeHtml(result.unavailable)}.</p>`;
  const rowHeight = 26;
  const labelWidth = 200;
  const barWidth = 460;
  const height = result.params.length * rowHeight + 12;
  const rows = result.params.map((p, i) => {
    const y = 6 + i * rowHeight;
    return el("g", { "data-tip": `${p.name}: ${(p.importance * 100).toFixed(1)}%` }, [
      text(labelWidth - 8, y + 16, p.name.length > 28 ? p.name.slice(0, 27) + "…" : p.name, { class: "tick", "text-anchor": "end" }),
      el("rect", { class: "bar", x: labelWidth, y: y + 3, width: Math.max(1, p.importance * barWidth), height: rowHeight - 8 }),
      text(labelWidth + p.importance * barWidth + 6, y + 16, `${(p.importance * 100).toFixed(1)}%`, { class: "tick" }),
    ]);
  });
  const caption =
    `${result.method}: how differently each parameter is distributed among the best ${result.top} of ${result.trials} completed ` +
    `trials (top ${result.quantile * 100}%) than among all of them (Pearson divergence), as shares of the total.`;
  return svg(labelWidth + barWidth + 70, height, "hyperparameter importance", rows) + `<p class="note">${escapeHtml(caption)}</p>`;
}
