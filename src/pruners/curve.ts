/**
 * What every pruner needs from a trial's history: its reported values of the sweep metric, finite ones
 * only, turned so that lower is always better. Working on one orientation keeps every rule's comparison
 * a single `>` (as wandb/sweeps does by negating a maximised metric), and skipping NaN/Infinity keeps a
 * diverged report from poisoning a median or a threshold.
 */
import type { Goal } from "../config/types.js";
import type { TrialView } from "../samplers/types.js";

/** One reported value on the lower-is-better scale. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

/** The trial's finite reports, steps ascending, as losses (negated when the goal is maximize). */
export function lossCurve(trial: TrialView, goal: Goal): LossPoint[] {
  const points: LossPoint[] = [];
  for (const { step, value } of trial.intermediate) {
    if (Number.isFinite(value)) points.push({ step, loss: toLoss(goal, value) });
  }
  return points;
}

export function toLoss(goal: Goal, value: number): number {
  return goal === "maximize" ? -value : value;
}

/** The inverse of `toLoss`: back to the metric as reported, for thresholds shown to people. */
export function fromLoss(goal: Goal, loss: number): number {
  return goal === "maximize" ? -loss : loss;
}

/** The first point at or after `step`, or undefined when the curve has not got there. */
export function firstPointAtOrAfter(curve: readonly LossPoint[], step: number): LossPoint | undefined {
  return curve.find((p) => p.step >= step);
}

/** The middle of the sorted values (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A value as people read it in a reason: at most 6 significant digits, no float noise. */
export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

/** "worse" in the metric's own words, for reasons. */
export function worseWord(goal: Goal): string {
  return goal === "maximize" ? "below" : "above";
}
