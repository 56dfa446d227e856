/**
 * Which trials the model learns from and how they rank: completed trials by value, then pruned trials
 * (deeper first, then by their value at the last reported step), while failed and interrupted trials say
 * nothing about the objective and are left out. Running and queued trials enter through the constant liar.
 */
import type { Goal } from "../../config/types.js";
import type { TrialView } from "../types.js";
import type { ConstantLiar, GammaFunction } from "./options.js";

export type Usability = "informative" | "pending" | "ignored";

/** How a trial's status counts for the model. */
export function usabilityOf(trial: TrialView): Usability {
  switch (trial.status) {
    case "completed":
      return trial.value !== null && !Number.isNaN(trial.value) ? "informative" : "ignored";
    case "pruned":
      return "informative";
    case "running":
    case "queued":
      return "pending";
    default:
      return "ignored"; // failed, interrupted
  }
}

/**
 * Rank the trials at `indices` (all informative or pending) and split them into good and bad.
 * `gamma(n)` good trials are taken from the ranked informative ones; pending trials follow the liar:
 * "worst" puts them straight into the bad set, a value (or "best"/"mean" of the completed ones) ranks them
 * as if completed with it, and `false` leaves them out.
 */
export function splitGoodBad(
  trials: readonly TrialView[],
  indices: readonly number[],
  goal: Goal,
  liar: ConstantLiar,
  gamma: GammaFunction,
): { good: number[]; bad: number[] } {
  const sign = goal === "maximize" ? -1 : 1;
  // Parallel typed arrays rather than one object per trial: this runs on every ask over the whole history.
  const count = indices.length;
  const tier = new Uint8Array(count);
  const step = new Float64Array(count);
  const loss = new Float64Array(count);
  const ranked: number[] = [];
  const pending: number[] = [];
  for (let k = 0; k < count; k++) {
    const t = trials[indices[k]!]!;
    if (t.status === "completed") {
      loss[k] = sign * t.value!;
      ranked.push(k);
    } else if (t.status === "pruned") {
      const entry = prunedRank(t, sign);
      tier[k] = 1;
      step[k] = entry.step;
      loss[k] = entry.loss;
      ranked.push(k);
    } else pending.push(indices[k]!);
  }

  const lie = liar === false || liar === "worst" ? null : lieValue(liar, ranked, tier, loss, sign);
  if (lie !== null) {
    for (let k = 0; k < count; k++) {
      const status = trials[indices[k]!]!.status;
      if (status === "running" || status === "queued") {
        loss[k] = lie;
        ranked.push(k);
      }
    }
  }

  // Completed before pruned; deeper pruned before shallower; then smaller loss; ties by history order.
  ranked.sort((a, b) => tier[a]! - tier[b]! || step[b]! - step[a]! || compareLoss(loss[a]!, loss[b]!) || indices[a]! - indices[b]!);
  const nGood = Math.max(0, Math.min(ranked.length, gamma(ranked.length)));
  const good = ranked.slice(0, nGood).map((k) => indices[k]!);
  const bad = ranked.slice(nGood).map((k) => indices[k]!);
  // Pending trials with no value to lie with ("worst", or "mean" before anything completed) count as bad.
  if (liar !== false && lie === null) bad.push(...pending);
  return { good, bad };
}

function prunedRank(t: TrialView, sign: number): { step: number; loss: number } {
  const last = t.intermediate.length > 0 ? t.intermediate[t.intermediate.length - 1]! : null;
  const value = last?.value ?? t.value;
  // A pruned trial with nothing reported ranks below every pruned trial that reported something.
  const loss = value === null || Number.isNaN(value) ? Infinity : sign * value;
  return { step: last?.step ?? -1, loss };
}

function compareLoss(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The loss assumed for pending trials; null when there is nothing completed to take "best"/"mean" from. */
function lieValue(
  liar: "best" | "mean" | number,
  ranked: readonly number[],
  tier: Uint8Array,
  loss: Float64Array,
  sign: number,
): number | null {
  if (typeof liar === "number") return sign * liar;
  let best = Infinity;
  let sum = 0;
  let completed = 0;
  for (const k of ranked) {
    if (tier[k] !== 0 || !Number.isFinite(loss[k]!)) continue;
    best = Math.min(best, loss[k]!);
    sum += loss[k]!;
    completed++;
  }
  if (completed === 0) return null;
  return liar === "best" ? best : sum / completed;
}
