/** What the pruning benchmark measures per run and how runs of one method are summarised. */
import { createRng } from "../../src/space/index.js";
import { quantile, summarize, type Summary } from "../stats.js";
import type { TrialOutcome } from "./ours.js";

export interface RunMetrics {
  readonly totalEpochs: number;
  readonly trials: number;
  readonly completed: number;
  /** Best noiseless final loss among completed trials (Infinity when none completed). */
  readonly bestFound: number;
  /** The same, counting only trials completed within the first `checkpoint` epochs. */
  readonly bestAtCheckpoint: number;
  /** Epochs spent until a completed trial was within `near` of the best achievable; null if never. */
  readonly epochsToNear: number | null;
}

/**
 * A run's figures. Only completed trials count as found: a pruned trial's params might have been the
 * best, but the sweep never trained them to the end, so nobody would know.
 */
export function runMetrics(outcomes: readonly TrialOutcome[], bestAchievable: number, near: number, checkpoint: number): RunMetrics {
  let spent = 0;
  let bestFound = Infinity;
  let bestAtCheckpoint = Infinity;
  let epochsToNear: number | null = null;
  let completed = 0;
  for (const o of outcomes) {
    spent += o.epochs;
    if (!o.completed) continue;
    completed++;
    bestFound = Math.min(bestFound, o.trueFinal);
    if (spent <= checkpoint) bestAtCheckpoint = Math.min(bestAtCheckpoint, o.trueFinal);
    if (epochsToNear === null && o.trueFinal <= bestAchievable + near) epochsToNear = spent;
  }
  return { totalEpochs: spent, trials: outcomes.length, completed, bestFound, bestAtCheckpoint, epochsToNear };
}

export interface MethodSummary {
  readonly label: string;
  readonly seeds: number;
  readonly meanTrials: number;
  readonly meanCompleted: number;
  /** Quartiles of epochs to near-best over seeds; a seed that never got there counts as Infinity. */
  readonly epochsToNear: Summary;
  readonly reached: number;
  /** Baseline median epochs to near-best divided by this method's. */
  readonly speedUp: number;
  /** 90% paired-bootstrap interval of `speedUp` (seeds resampled together with the baseline's). */
  readonly speedUpInterval: readonly [number, number];
  /** Seeds where this method got near the best in fewer epochs than the baseline on the same seed. */
  readonly fasterSeeds: number;
  readonly medianBestFound: number;
  readonly medianBestAtCheckpoint: number;
}

/** `runs[i]` and `baseline[i]` must be the same seed. */
export function summarise(label: string, runs: readonly RunMetrics[], baseline: readonly RunMetrics[]): MethodSummary {
  const toNear = runs.map((r) => r.epochsToNear ?? Infinity);
  const baselineToNear = baseline.map((r) => r.epochsToNear ?? Infinity);
  const epochsToNear = summarize(toNear);
  return {
    label,
    seeds: runs.length,
    meanTrials: mean(runs.map((r) => r.trials)),
    meanCompleted: mean(runs.map((r) => r.completed)),
    epochsToNear,
    reached: runs.filter((r) => r.epochsToNear !== null).length,
    speedUp: quantile(baselineToNear, 0.5) / epochsToNear.median,
    speedUpInterval: bootstrapSpeedUp(baselineToNear, toNear),
    fasterSeeds: toNear.filter((t, i) => t < baselineToNear[i]!).length,
    medianBestFound: quantile(runs.map((r) => r.bestFound), 0.5),
    medianBestAtCheckpoint: quantile(runs.map((r) => r.bestAtCheckpoint), 0.5),
  };
}

export function table(summaries: readonly MethodSummary[], checkpoint: number): string {
  const epochs = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : "never");
  const loss = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : "none");
  const rows = summaries.map((s) =>
    [
      s.label,
      s.meanTrials.toFixed(0),
      s.meanCompleted.toFixed(0),
      `${epochs(s.epochsToNear.median)} [${epochs(s.epochsToNear.q1)}, ${epochs(s.epochsToNear.q3)}]`,
      `${s.reached}/${s.seeds}`,
      Number.isFinite(s.speedUp) && s.speedUp > 0
        ? `${s.speedUp.toFixed(1)}x [${s.speedUpInterval[0].toFixed(1)}, ${s.speedUpInterval[1].toFixed(1)}]`
        : "—",
      `${s.fasterSeeds}/${s.seeds}`,
      loss(s.medianBestAtCheckpoint),
      loss(s.medianBestFound),
    ].join(" | "),
  );
  return [
    "| method | trials (mean) | completed (mean) | epochs to near-best: median [IQR] | seeds reaching it | speed-up vs no pruning [90% bootstrap] | seeds faster than no pruning | best final, first " +
      `${checkpoint} epochs (median) | best final, whole budget (median) |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}

/** Resamples of the seeds for the speed-up's interval; fixed RNG seed, so a rerun prints the same interval. */
const BOOTSTRAP_RESAMPLES = 2000;
const BOOTSTRAP_SEED = 20261123;

/**
 * How much the speed-up owes to which seeds were drawn: resample seeds with replacement (the baseline's run
 * on a seed stays paired with the method's run on it), recompute the ratio of medians, take the 5th and
 * 95th percentiles. A median that is "never" (Infinity) makes that resample's ratio 0 or Infinity.
 */
export function bootstrapSpeedUp(baseline: readonly number[], method: readonly number[]): [number, number] {
  const rng = createRng(BOOTSTRAP_SEED);
  const n = method.length;
  const ratios: number[] = [];
  const a: number[] = new Array<number>(n);
  const b: number[] = new Array<number>(n);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    for (let i = 0; i < n; i++) {
      const pick = Math.floor(rng() * n);
      a[i] = baseline[pick]!;
      b[i] = method[pick]!;
    }
    const ratio = quantile(a, 0.5) / quantile(b, 0.5);
    ratios.push(Number.isNaN(ratio) ? 1 : ratio);
  }
  const sorted = ratios.sort((x, y) => x - y);
  return [sorted[Math.floor(0.05 * (sorted.length - 1))]!, sorted[Math.ceil(0.95 * (sorted.length - 1))]!];
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}


/** The verdict on the target for one family's table. */
export interface FamilyTable {
  readonly family: string;
  readonly summaries: readonly MethodSummary[];
  /** The target rows summarised against the same sampler without pruning (their speed-up is over it). */
  readonly againstUnpruned?: readonly MethodSummary[];
}

export interface Target {
  /** The rows the target is about. */
  readonly rows: readonly string[];
  /** At least this many times fewer epochs to near-best than the baseline (median over seeds). */
  readonly speedUp: number;
  /** And at least this share of the seeds reaching near-best within the budget. */
  readonly reachedShare: number;
  /** The same sampler without pruning, which a pruner should never make worse. */
  readonly unpruned: string;
}

/** Whether a row meets the target: the median speed-up and the share of seeds that got there. */
export function meetsTarget(s: MethodSummary, target: Target): boolean {
  return s.speedUp >= target.speedUp && s.reached >= Math.ceil(target.reachedShare * s.seeds - 1e-9);
}

/**
 * The verdict from the tables' own numbers: a grid of target rows by family, each cell the speed-up (with
 * its 90% bootstrap interval) and the seeds reaching near-best, marked met or not; then, per family, the
 * target rows against the same sampler without pruning.
 */
export function verdictLines(tables: readonly FamilyTable[], target: Target): string[] {
  const cells: string[] = [];
  let met = 0;
  const rows = tables.map((t) => {
    const byLabel = new Map(t.summaries.map((s) => [s.label, s]));
    const parts = target.rows.map((label) => {
      const s = byLabel.get(label);
      if (!s) return "not run";
      const ok = meetsTarget(s, target);
      if (ok) met++;
      cells.push(`${t.family} / ${label}: ${ok ? "met" : "not met"}`);
      return `${speed(s)}, ${s.reached}/${s.seeds} ${ok ? "**met**" : "not met"}`;
    });
    return `| ${t.family} | ${parts.join(" | ")} |`;
  });
  const total = tables.length * target.rows.length;
  const lines = [
    `**Verdict.** Target: at least ${target.speedUp}x fewer epochs than random search without pruning to a near-best completed trial ` +
      `(median over seeds), with at least ${Math.round(target.reachedShare * 100)}% of the seeds getting there, for each of ` +
      `${target.rows.join(", ")}, on every family. Met in ${met} of ${total} cells` +
      (met === total ? ": **all targets met**." : met === 0 ? ": **no target met**." : `; not met: ${cells.filter((c) => c.endsWith("not met")).map((c) => c.replace(/: not met$/, "")).join("; ")}.`),
    "",
    `| family | ${target.rows.join(" | ")} |`,
    `|---|${target.rows.map(() => "---:").join("|")}|`,
    ...rows,
    "",
    `Against the same sampler without pruning (${target.unpruned}; epochs to near-best, median, and seeds reaching it; then ` +
      `its median over the row's [90% paired bootstrap over seeds]; "worse" where the row's median is, "worse beyond chance" ` +
      `where the whole interval is below 1):`,
    "",
  ];
  for (const t of tables) {
    const byLabel = new Map(t.summaries.map((s) => [s.label, s]));
    const against = new Map((t.againstUnpruned ?? []).map((s) => [s.label, s]));
    const base = byLabel.get(target.unpruned);
    if (!base) continue;
    const parts = target.rows.flatMap((label) => {
      const s = byLabel.get(label);
      if (!s) return [];
      const vs = against.get(label);
      const worse = s.epochsToNear.median > base.epochsToNear.median || s.reached < base.reached;
      const beyondChance = worse && vs !== undefined && vs.speedUpInterval[1] < 1;
      const ratio = vs === undefined ? "" : `, ${speed(vs)}`;
      return [`${label.replace(/^.*\((.*)\)$/, "$1")}: ${epochs(s.epochsToNear.median)}, ${s.reached}/${s.seeds}${ratio}${beyondChance ? " (worse beyond chance)" : worse ? " (worse)" : ""}`];
    });
    lines.push(`- ${t.family}: without pruning ${epochs(base.epochsToNear.median)}, ${base.reached}/${base.seeds}; ${parts.join("; ")}`);
  }
  return lines;
}

function speed(s: MethodSummary): string {
  return Number.isFinite(s.speedUp) && s.speedUp > 0 ? `${s.speedUp.toFixed(1)}x [${s.speedUpInterval[0].toFixed(1)}, ${s.speedUpInterval[1].toFixed(1)}]` : "—";
}

function epochs(x: number): string {
  return Number.isFinite(x) ? x.toFixed(0) : "never";
}
