/** What the pruning benchmark measures per run and how runs of one method are summarised. */
import type { TrialOutcome } from "./ours.js";

export interface RunMetrics {
  readonly totalEpochs: number;
  /** Best noiseless final loss among completed trials. */
  readonly bestFound: number;
  /** Epochs spent until a completed trial was within `near` of the best achievable; null if never. */
  readonly epochsToNear: number | null;
  readonly pruned: number;
}

export function runMetrics(outcomes: readonly TrialOutcome[], bestAchievable: number, near: number): RunMetrics {
  let spent = 0;
  let bestFound = Infinity;
  let epochsToNear: number | null = null;
  let pruned = 0;
  for (const o of outcomes) {
    spent += o.epochs;
    if (!o.completed) {
      pruned++;
      continue;
    }
    bestFound = Math.min(bestFound, o.trueFinal);
    if (epochsToNear === null && o.trueFinal <= bestAchievable + near) epochsToNear = spent;
  }
  return { totalEpochs: spent, bestFound, epochsToNear, pruned };
}

export interface MethodSummary {
  readonly label: string;
  readonly meanTotalEpochs: number;
  readonly meanBestFound: number;
  readonly medianEpochsToNear: number;
  readonly reached: number;
  readonly seeds: number;
  readonly speedUp: number;
  readonly meanPruned: number;
}

export function summarise(label: string, runs: readonly RunMetrics[], baseline: readonly RunMetrics[]): MethodSummary {
  const medianToNear = median(runs.map((r) => r.epochsToNear ?? Infinity));
  return {
    label,
    meanTotalEpochs: mean(runs.map((r) => r.totalEpochs)),
    meanBestFound: mean(runs.map((r) => r.bestFound)),
    medianEpochsToNear: medianToNear,
    reached: runs.filter((r) => r.epochsToNear !== null).length,
    seeds: runs.length,
    speedUp: median(baseline.map((r) => r.epochsToNear ?? Infinity)) / medianToNear,
    meanPruned: mean(runs.map((r) => r.pruned)),
  };
}

export function table(summaries: readonly MethodSummary[]): string {
  const rows = summaries.map((s) =>
    [
      s.label,
      s.meanTotalEpochs.toFixed(0),
      s.meanPruned.toFixed(0),
      s.meanBestFound.toFixed(4),
      Number.isFinite(s.medianEpochsToNear) ? s.medianEpochsToNear.toFixed(0) : "never (median)",
      `${s.reached}/${s.seeds}`,
      Number.isFinite(s.speedUp) && s.speedUp > 0 ? `${s.speedUp.toFixed(1)}x` : "—",
    ].join(" | "),
  );
  return [
    "| method | total epochs (mean) | trials pruned (mean) | best final loss (mean) | epochs to near-best (median) | seeds reaching it | speed-up vs no pruning |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map((r) => `| ${r} |`),
  ].join("\n");
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
