/**
 * `sweep export`: one flat record per trial (trial fields, then `params.<name>`, then `metrics.<name>`),
 * so `pandas.read_csv("trials.csv")` gives a usable frame without any reshaping.
 *
 * `metrics.<name>` is the last value the trial's current attempt reported (W&B summary semantics); the
 * sweep's objective metric also gets `metrics.<name>.best`, the best value by the sweep's goal. The trial's
 * objective, as the sampler saw it, is `value`.
 */
import { objectiveFromReports } from "../study/objective.js";
import type { SweepData, TrialData } from "./data.js";
import type { RecordTable } from "./records.js";
import { durationSeconds } from "./summary.js";

const TRIAL_FIELDS: readonly { readonly column: string; readonly value: (t: TrialData, s: SweepData) => unknown }[] = [
  { column: "sweep_id", value: (_t, s) => s.sweep.id },
  { column: "sweep_name", value: (_t, s) => s.sweep.name },
  { column: "trial", value: (t) => t.record.number },
  { column: "trial_id", value: (t) => t.record.id },
  { column: "status", value: (t) => t.record.status },
  { column: "attempt", value: (t) => t.record.attempt },
  { column: "value", value: (t) => t.record.value },
  { column: "started_at", value: (t) => t.record.startedAt },
  { column: "finished_at", value: (t) => t.record.finishedAt },
  { column: "duration_s", value: (t) => (t.record.finishedAt ? durationSeconds(t.record.startedAt, t.record.finishedAt) : null) },
  { column: "worker", value: (t) => t.record.worker },
  { column: "gpus", value: (t) => t.record.gpus },
  { column: "exit_code", value: (t) => t.record.exitCode },
  { column: "signal", value: (t) => t.record.signal },
  { column: "prune_step", value: (t) => t.record.pruneStep },
  { column: "prune_reason", value: (t) => t.record.pruneReason },
  { column: "error", value: (t) => t.record.error },
  { column: "log_path", value: (t) => t.record.logPath },
];

export function trialRecords(data: SweepData): RecordTable {
  const objective = data.config.metric;
  const metricColumns = data.metricNames.flatMap((name) =>
    objective?.name === name ? [`metrics.${name}`, `metrics.${name}.best`] : [`metrics.${name}`],
  );
  const columns = [...TRIAL_FIELDS.map((f) => f.column), ...data.paramNames.map((p) => `params.${p}`), ...metricColumns];
  const rows = data.trials.map((t) => {
    const row: Record<string, unknown> = {};
    for (const f of TRIAL_FIELDS) row[f.column] = f.value(t, data);
    for (const p of data.paramNames) row[`params.${p}`] = t.record.params[p] ?? null;
    for (const name of data.metricNames) {
      const curve = t.curves.get(name) ?? [];
      row[`metrics.${name}`] = objectiveFromReports(curve, "last", "maximize");
      if (objective?.name === name) row[`metrics.${name}.best`] = objectiveFromReports(curve, "best", objective.goal);
    }
    return row;
  });
  return { columns, rows };
}
