/**
 * What every chart of the report is drawn from: one sweep's data, the metric and goal it is judged by, and
 * the axes of the parameters that varied.
 */
import type { Goal } from "../../config/types.js";
import type { TrialRecord } from "../../storage/types.js";
import { isBetter } from "../../study/objective.js";
import type { SweepData } from "../data.js";
import { paramAxis, type ParamAxis } from "../param-axes.js";
import { formatNumber, formatValue } from "../table.js";

export interface ChartInput {
  readonly data: SweepData;
  /** The sweep's metric; null when it has none (charts of values are then skipped). */
  readonly metric: string | null;
  readonly goal: Goal;
  /** Parameters that took two or more values, in sweep-file order. */
  readonly axes: readonly ParamAxis[];
  /** Trials with a finite objective value (completed and pruned), by number. */
  readonly valued: readonly TrialRecord[];
  readonly best: TrialRecord | null;
}

export function chartInput(data: SweepData): ChartInput {
  const goal = data.config.metric?.goal ?? "maximize";
  const records = data.trials.map((t) => t.record);
  const axes = data.paramNames.map((name) => paramAxis(data.space, name, records.map((r) => r.params[name]))).filter((a) => a !== null);
  const valued = records.filter((r) => (r.status === "completed" || r.status === "pruned") && r.value !== null && Number.isFinite(r.value));
  let best: TrialRecord | null = null;
  for (const r of valued) if (r.status === "completed" && (best === null || isBetter(goal, r.value!, best.value!))) best = r;
  return { data, metric: data.config.metric?.name ?? null, goal, axes, valued, best };
}

/** The hover text of a trial: number, status, value, params. */
export function trialTip(t: TrialRecord, metric: string | null): string {
  const head = `trial ${t.number} · ${t.status}${t.value !== null && metric ? ` · ${metric} ${formatNumber(t.value)}` : ""}`;
  const params = Object.entries(t.params).map(([k, v]) => `${k} = ${formatValue(v)}`);
  return [head, ...params].join("\n");
}
