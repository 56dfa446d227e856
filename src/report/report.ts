/**
 * `sweep report`: one self-contained HTML file for a sweep — optimization history with the running best,
 * parameter importance, parallel coordinates, slice plots, learning curves with pruned trials marked,
 * the best trial per model, and every trial.
 */
import { bestPerModel } from "./best.js";
import { bestColumns } from "./best-table.js";
import type { SweepData } from "./data.js";
import { NoResultError, QueryError } from "./errors.js";
import { curvesChart } from "./html/curves.js";
import { escapeHtml } from "./html/escape.js";
import { historyChart } from "./html/history.js";
import { importanceChart } from "./html/importance-chart.js";
import { chartInput, type ChartInput } from "./html/input.js";
import { page, type Section } from "./html/page.js";
import { parallelChart } from "./html/parallel.js";
import { sliceCharts } from "./html/slices.js";
import { pedAnova } from "./importance.js";
import { describeCounts, durationSeconds, formatDuration, summarizeSweep } from "./summary.js";
import { formatNumber, formatValue } from "./table.js";

export interface ReportOptions {
  /** Shown in the header; default now. Fixed in tests so two renders compare equal. */
  readonly generatedAt?: Date;
}

export function renderReport(data: SweepData, options: ReportOptions = {}): string {
  const input = chartInput(data);
  const summary = summarizeSweep(data.sweep, data.trials.map((t) => t.record));
  const title = data.sweep.name ?? `sweep ${data.sweep.id}`;
  const metric = summary.metric;
  const facts = [
    `sweep ${data.sweep.id}`,
    `method ${summary.method}`,
    metric ? `metric ${metric.name} (${metric.goal})` : "no metric",
    `status ${summary.status}`,
    `${summary.trials} trials: ${describeCounts(summary.counts)}`,
    summary.best ? `best ${formatNumber(summary.best.value)} (trial ${summary.best.number})` : "no best yet",
    `generated ${(options.generatedAt ?? new Date()).toISOString().replace("T", " ").slice(0, 19)} UTC`,
  ];
  const header = `<h1>${escapeHtml(title)}</h1><p class="facts">${facts.map(escapeHtml).join(" · ")}</p>`;
  return page(`${title} — sweep report`, header, sections(input));
}

function sections(input: ChartInput): Section[] {
  const { data, metric } = input;
  const result: Section[] = [{ id: "best", title: "Best per model", body: bestSection(data) }];
  if (metric === null || input.valued.length === 0) {
    const why = metric === null ? "The sweep has no metric, so trials have no value to chart." : "No trial has a value yet.";
    result.push({ id: "history", title: "Optimization history", body: `<p class="note">${escapeHtml(why)}</p>` });
  } else {
    result.push({ id: "history", title: "Optimization history", body: historyChart(input) });
    const importance = pedAnova(data.trials.map((t) => t.record), data.paramNames, data.space, input.goal);
    result.push({ id: "importance", title: "Hyperparameter importance", body: importanceChart(importance) });
    if (input.axes.length > 0 && input.valued.some((t) => t.status === "completed")) {
      result.push({ id: "parallel", title: "Parallel coordinates", body: `<div class="scroll">${parallelChart(input)}</div>` });
      result.push({ id: "slices", title: "Slice plots", body: `<div class="slices">${sliceCharts(input).join("")}</div>` });
    }
  }
  result.push({ id: "curves", title: "Learning curves", body: curvesSection(input) });
  result.push({ id: "trials", title: "Trials", body: trialsTable(input) });
  return result;
}

function bestSection(data: SweepData): string {
  try {
    const best = bestPerModel([data], { top: 1 });
    const columns = bestColumns(best).filter((c) => !c.fileOnly);
    const head = columns.map((c) => `<th>${escapeHtml(c.header)}</th>`).join("");
    const rows = best.rows
      .map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ""}>${escapeHtml(c.text ? c.text(r) : formatValue(c.value(r)))}</td>`).join("")}</tr>`)
      .join("");
    const note = `${best.metric} (${best.goal}), models told apart by ${best.modelSource}.`;
    return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table></div><p class="note">${escapeHtml(note)}</p>`;
  } catch (error) {
    if (error instanceof NoResultError || error instanceof QueryError) return `<p class="note">${escapeHtml(error.message)}</p>`;
    throw error;
  }
}

function curvesSection(input: ChartInput): string {
  const names = input.data.metricNames;
  if (names.length === 0) return `<p class="note">No trial reported intermediate values.</p>`;
  const main = input.metric !== null && names.includes(input.metric) ? input.metric : names[0]!;
  const others = names.filter((n) => n !== main);
  const parts = [`<h3>${escapeHtml(main)}</h3>`, curvesChart(input, main) ?? ""];
  for (const name of others) {
    parts.push(`<details><summary>${escapeHtml(name)}</summary>${curvesChart(input, name) ?? ""}</details>`);
  }
  return parts.join("");
}

function trialsTable(input: ChartInput): string {
  const params = input.data.paramNames;
  const head = ["#", "status", input.metric ?? "value", ...params, "time", "GPU", "pruned at", "note"].map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const rows = input.data.trials.map(({ record: t }) => {
    const cells = [
      { text: String(t.number), num: true },
      { text: t.status, num: false },
      { text: t.value === null ? "" : formatNumber(t.value), num: true },
      ...params.map((p) => ({ text: formatValue(t.params[p]), num: typeof t.params[p] === "number" })),
      { text: formatDuration(t.finishedAt ? durationSeconds(t.startedAt, t.finishedAt) : null), num: true },
      { text: t.gpus === null ? "" : t.gpus === "" ? "cpu" : t.gpus, num: false },
      { text: t.pruneStep === null ? "" : String(t.pruneStep), num: true },
      { text: t.pruneReason ?? t.error?.split("\n")[0] ?? "", num: false },
    ];
    const cls = t === input.best ? ' class="best-row"' : "";
    return `<tr${cls}>${cells.map((c) => `<td${c.num ? ' class="num"' : ""}>${escapeHtml(c.text)}</td>`).join("")}</tr>`;
  });
  return `<details open><summary>${input.data.trials.length} trials</summary><div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div></details>`;
}
