/**
 * Per-sweep facts that `ls`, `show` and the runner's final line all print: status counts and the best
 * value so far. Computed from storage records only.
 */
import type { MetricSpec, SweepConfig } from "../config/types.js";
import { isBetter } from "../study/objective.js";
import type { Storage, SweepRecord, TrialRecord, TrialStatus } from "../storage/types.js";

export const TRIAL_STATUSES: readonly TrialStatus[] = ["queued", "running", "completed", "pruned", "failed", "interrupted"];

export type StatusCounts = Record<TrialStatus, number>;

export interface SweepSummary {
  readonly id: string;
  readonly name: string | null;
  readonly method: string;
  readonly metric: MetricSpec | null;
  readonly status: string;
  /** Marked `running`, but no controller or agent of it is alive (killed with -9): `sweep resume` goes on. */
  readonly stale?: boolean;
  readonly trials: number;
  readonly counts: StatusCounts;
  readonly best: { readonly number: number; readonly value: number } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The resolved config stored with a sweep (see study/sweep.ts). */
export function storedConfig(sweep: SweepRecord): SweepConfig {
  return (sweep.config as { config: SweepConfig }).config;
}

export function countStatuses(trials: readonly TrialRecord[]): StatusCounts {
  const counts = Object.fromEntries(TRIAL_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const t of trials) counts[t.status]++;
  return counts;
}

export function bestOf(trials: readonly TrialRecord[], goal: MetricSpec["goal"]): TrialRecord | null {
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.status !== "completed" || t.value === null || !Number.isFinite(t.value)) continue;
    if (best === null || isBetter(goal, t.value, best.value!)) best = t;
  }
  return best;
}

/**
 * Every sweep of a storage summarised, newest first (what `sweep ls` and the dashboard's list show). A sweep
 * still `running` in the storage is asked `isStale` (its controller gone: say so, and how to go on).
 */
export async function sweepSummaries(storage: Storage, isStale?: (sweep: SweepRecord) => Promise<boolean>): Promise<SweepSummary[]> {
  const out: SweepSummary[] = [];
  for (const sweep of await storage.listSweeps()) {
    const summary = summarizeSweep(sweep, await storage.listTrials(sweep.id));
    const stale = sweep.status === "running" && isStale ? await isStale(sweep) : false;
    out.push(stale ? { ...summary, stale: true } : summary);
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export function summarizeSweep(sweep: SweepRecord, trials: readonly TrialRecord[]): SweepSummary {
  const config = storedConfig(sweep);
  const metric = config.metric ?? null;
  const best = metric ? bestOf(trials, metric.goal) : null;
  return {
    id: sweep.id,
    name: sweep.name,
    method: config.method,
    metric,
    status: sweep.status,
    trials: trials.length,
    counts: countStatuses(trials),
    best: best ? { number: best.number, value: best.value! } : null,
    createdAt: sweep.createdAt,
    updatedAt: sweep.updatedAt,
  };
}

/** "3 completed, 1 running, 2 pruned" — only the statuses that occur. */
export function describeCounts(counts: StatusCounts): string {
  const parts = TRIAL_STATUSES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length > 0 ? parts.join(", ") : "no trials";
}

/** Seconds between two ISO times (null if either is missing). */
export function durationSeconds(startedAt: string | null, finishedAt: string | null): number | null {
  if (!startedAt) return null;
  const end = finishedAt ? Date.parse(finishedAt) : Date.now();
  return Math.max(0, (end - Date.parse(startedAt)) / 1000);
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return "";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
