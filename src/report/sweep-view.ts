/**
 * One sweep as plain JSON for the interactive views (the dashboard's API and page, and `sweep report`'s
 * file): the sweep's facts, the axes of the parameters that varied, every trial with its curves, and the
 * importance analysis. The browser draws everything from this one object, so the live page and the
 * offline report cannot drift apart.
 */
import type { MetricSpec } from "../config/types.js";
import type { TrialStatus } from "../storage/types.js";
import type { SweepData } from "./data.js";
import { findModelKey } from "./hyperparams.js";
import { importanceView, type ImportanceView } from "./importance-effect.js";
import { paramAxis, type ParamAxis } from "./param-axes.js";
import { countStatuses, summarizeSweep, type StatusCounts, type SweepSummary } from "./summary.js";
import { waitingForRoom } from "../study/waiting.js";

/** Bumped when a field changes meaning, so scripts reading the API can check what they got. */
export const VIEW_FORMAT = 1;

export interface TrialView {
  readonly number: number;
  readonly status: TrialStatus;
  /** The objective; null when the trial has none (yet), or it is not finite. */
  readonly value: number | null;
  readonly params: Readonly<Record<string, unknown>>;
  readonly attempt: number;
  /** CUDA_VISIBLE_DEVICES of the trial ("" on CPU); null before it started. */
  readonly gpus: string | null;
  readonly worker: string | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly heartbeatAt: string | null;
  readonly pruneStep: number | null;
  readonly pruneReason: string | null;
  /** The first line of the error of a failed trial. */
  readonly error: string | null;
  /** A claimed trial not started yet: what it waits for ("2 GPUs to itself (sweep.resources[1])"); else null. */
  readonly waitingFor: string | null;
  /** Metric name -> [step, value] pairs of the current attempt, steps ascending (absent: `curves=false`). */
  readonly curves?: Readonly<Record<string, readonly (readonly [number, number])[]>>;
}

export interface SweepOverview {
  readonly format: number;
  readonly sweep: SweepSummary & { readonly runCap: number | null };
  readonly metric: MetricSpec | null;
  readonly counts: StatusCounts;
  /** Parameters that took two or more values, in sweep-file order, with their axes. */
  readonly axes: readonly ParamAxis[];
  readonly paramNames: readonly string[];
  readonly metricNames: readonly string[];
  /** The parameter that names the model (model_name, model, model_name_or_path), if any. */
  readonly modelKey: string | null;
  readonly importance: ImportanceView | null;
  /** The storage's time when this was read: running trials' durations and the timeline end here. */
  readonly readAt: string;
}

export interface SweepView extends SweepOverview {
  readonly trials: readonly TrialView[];
}

export function sweepOverview(data: SweepData, readAt: string): SweepOverview {
  const records = data.trials.map((t) => t.record);
  const metric = data.config.metric ?? null;
  const axes = data.paramNames.map((name) => paramAxis(data.space, name, records.map((r) => r.params[name]))).filter((a) => a !== null);
  return {
    format: VIEW_FORMAT,
    sweep: { ...summarizeSweep(data.sweep, records), runCap: data.config.run_cap ?? null },
    metric,
    counts: countStatuses(records),
    axes,
    paramNames: data.paramNames,
    metricNames: data.metricNames,
    modelKey: findModelKey(data.paramNames) ?? null,
    importance: metric ? importanceView(records, data.paramNames, data.space, metric.goal) : null,
    readAt,
  };
}

export function trialViews(data: SweepData, options: { readonly curves?: boolean } = {}): TrialView[] {
  return data.trials.map(({ record: t, curves }) => ({
    number: t.number,
    status: t.status,
    value: t.value !== null && Number.isFinite(t.value) ? t.value : null,
    params: t.params,
    attempt: t.attempt,
    gpus: t.gpus,
    worker: t.worker,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    heartbeatAt: t.heartbeatAt,
    pruneStep: t.pruneStep,
    pruneReason: t.pruneReason,
    error: t.error?.split("\n")[0] ?? null,
    waitingFor: waitingForRoom(t),
    ...(options.curves === false
      ? {}
      : { curves: Object.fromEntries([...curves].map(([name, points]) => [name, points.filter((p) => Number.isFinite(p.value)).map((p) => [p.step, p.value] as const)])) }),
  }));
}

export function sweepView(data: SweepData, readAt: string): SweepView {
  return { ...sweepOverview(data, readAt), trials: trialViews(data) };
}
