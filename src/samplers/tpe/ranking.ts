/**
 * Which trials the model learns from and how they rank. Completed trials and pruned trials are compared at
 * a common *reference step*: the deepest step that at least `REFERENCE_MIN_TRIALS` of them reached (BOHB's
 * rule: model the largest budget with enough observations). Once that many trials completed it is the end
 * of training and the ranking is by final value; before that, a pruned trial that reached the reference
 * step ranks among the completed ones by its value there. A pruned trial stopped before the reference step
 * is left out of the model: being stopped early is not evidence that its configuration ends badly (slow
 * starters are stopped early), so it counts neither as good nor as bad. Failed and interrupted trials say
 * nothing about the objective and are left out too. Running and queued trials enter through the constant
 * liar. The reasons are in docs/tpe.md, "Pruned trials".
 */
import type { Goal } from "../../config/types.js";
import type { TrialView } from "../types.js";
import type { ConstantLiar, GammaFunction } from "./options.js";

/** Trials that must have reached a step for it to be the reference step (fewer in all: every one of them). */
export const REFERENCE_MIN_TRIALS = 10;

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

/** How far a trial got: Infinity for a completed one, the last finite reported step for a pruned one (-Infinity: none). */
function depthOf(t: TrialView): number {
  if (t.status === "completed") return Infinity;
  for (let k = t.intermediate.length - 1; k >= 0; k--) {
    const point = t.intermediate[k]!;
    if (Number.isFinite(point.value)) return point.step;
  }
  return -Infinity;
}

/**
 * The reference step of trials with these depths: the deepest depth that at least
 * min(REFERENCE_MIN_TRIALS, count) of them reached. `counts` maps a depth to how many trials have it.
 */
function referenceStep(counts: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const c of counts.values()) total += c;
  const needed = Math.min(REFERENCE_MIN_TRIALS, total);
  const depths = [...counts.keys()].sort((a, b) => b - a);
  let reached = 0;
  for (const depth of depths) {
    reached += counts.get(depth)!;
    if (reached >= needed) return depth;
  }
  return -Infinity;
}

/**
 * A ranked trial's place relative to the reference step: `reached` trials rank by their loss at the step
 * (a completed trial's final value when the step is the end of training, or when it reported nothing that
 * deep); the others are left out of the model.
 */
function lossAt(t: TrialView, reference: number, sign: number): number {
  if (Number.isFinite(reference)) {
    for (const point of t.intermediate) {
      if (point.step >= reference && Number.isFinite(point.value)) return sign * point.value;
    }
  }
  if (t.status === "completed") return sign * t.value!;
  // Only when the reference step is -Infinity (a pruned trial that reported nothing is among those needed):
  // the last finite value, or Infinity when there is none.
  const depth = depthOf(t);
  for (let k = t.intermediate.length - 1; k >= 0; k--) {
    const point = t.intermediate[k]!;
    if (point.step === depth && Number.isFinite(point.value)) return sign * point.value;
  }
  return Infinity;
}

function compareLoss(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rank the trials at `indices` (all informative or pending) and split them into good and bad.
 * `gamma(n)` good trials are taken from the ranked ones; pending trials follow the liar: "worst" puts them
 * straight into the bad set, a value (or "best"/"mean" of the completed ones' final values) ranks them as
 * if they had reached the reference step with it, and `false` leaves them out.
 */
export function splitGoodBad(
  trials: readonly TrialView[],
  indices: readonly number[],
  goal: Goal,
  liar: ConstantLiar,
  gamma: GammaFunction,
): { good: number[]; bad: number[] } {
  const sign = goal === "maximize" ? -1 : 1;
  const counts = new Map<number, number>();
  for (const i of indices) {
    const t = trials[i]!;
    if (t.status !== "completed" && t.status !== "pruned") continue;
    const depth = depthOf(t);
    counts.set(depth, (counts.get(depth) ?? 0) + 1);
  }
  const reference = referenceStep(counts);
  const loss = new Map<number, number>();
  const ranked: number[] = [];
  const pending: number[] = [];
  for (const i of indices) {
    const t = trials[i]!;
    if (t.status === "completed" || t.status === "pruned") {
      if (depthOf(t) < reference) continue; // stopped before the reference step: left out
      loss.set(i, lossAt(t, reference, sign));
      ranked.push(i);
    } else pending.push(i);
  }
  const lie = liar === false || liar === "worst" ? null : lieValue(liar, trials, indices, sign);
  if (lie !== null) for (const i of pending) (loss.set(i, lie), ranked.push(i));
  ranked.sort((a, b) => compareLoss(loss.get(a)!, loss.get(b)!) || a - b);
  const nGood = Math.max(0, Math.min(ranked.length, gamma(ranked.length)));
  const good = ranked.slice(0, nGood);
  const bad = ranked.slice(nGood);
  // Pending trials with no value to lie with ("worst", or "mean" before anything completed) count as bad.
  if (liar !== false && lie === null) bad.push(...pending);
  return { good, bad };
}

/** The loss assumed for pending trials, from the completed trials' final values in history order; null when none. */
function lieValue(liar: "best" | "mean" | number, trials: readonly TrialView[], indices: readonly number[], sign: number): number | null {
  if (typeof liar === "number") return sign * liar;
  let best = Infinity;
  let sum = 0;
  let completed = 0;
  for (const i of indices) {
    const t = trials[i]!;
    if (t.status !== "completed" || !Number.isFinite(t.value)) continue;
    const loss = sign * t.value!;
    best = Math.min(best, loss);
    sum += loss;
    completed++;
  }
  if (completed === 0) return null;
  return liar === "best" ? best : sum / completed;
}

/**
 * `splitGoodBad` kept between asks. Re-sorting the whole history on every ask made an ask O(n log n) in
 * the history with a comparator call per step (about 3 ms at 10,000 trials). This keeps the ranked trials
 * sorted and, per ask, removes the few whose view changed and inserts the new ones by binary search. The
 * reference step only moves when enough trials get deeper — a few times in a sweep — and then the ranked
 * trials are keyed and sorted again. The order is a total order (ties broken by history position), so the
 * result is exactly `splitGoodBad`'s. Pending trials are few and are merged into a copy per ask.
 *
 * Like the encoded history, it relies on the study handing the sampler the same view object while a trial
 * is unchanged; anything unexpected (a goal change, trials that vanished) rebuilds it from scratch.
 */
export class IncrementalRanking {
  private goal: Goal | null = null;
  /** Ranked trial indices (those that reached the reference step) in rank order. */
  private sorted: number[] = [];
  /** By trial index: the view a completed or pruned trial was keyed from (undefined otherwise). */
  private views: (TrialView | undefined)[] = [];
  /** How many entries of `views` are set. */
  private known = 0;
  /** Depth → how many known trials have it. */
  private counts = new Map<number, number>();
  private reference = NaN;
  private depth = new Float64Array(0);
  private loss = new Float64Array(0);

  split(
    trials: readonly TrialView[],
    indices: readonly number[],
    goal: Goal,
    liar: ConstantLiar,
    gamma: GammaFunction,
  ): { good: number[]; bad: number[] } {
    const sign = goal === "maximize" ? -1 : 1;
    if (goal !== this.goal || this.views.length > trials.length) this.reset(goal);
    this.grow(trials.length);
    const views = this.views;
    const removed = new Set<number>();
    const added: number[] = [];
    const pending: number[] = [];
    let kept = 0;
    for (const i of indices) {
      const t = trials[i]!;
      const cached = views[i];
      if (cached === t) {
        kept++;
        continue;
      }
      if (cached !== undefined) removed.add(i);
      if (t.status === "completed" || t.status === "pruned") added.push(i);
      else pending.push(i);
    }
    if (kept + removed.size !== this.known) {
      // Known trials left the group without a new view: start over.
      this.reset(goal);
      return this.split(trials, indices, goal, liar, gamma);
    }
    for (const i of removed) {
      this.count(this.depth[i]!, -1);
      views[i] = undefined;
      this.known--;
    }
    if (removed.size > 0) this.sorted = this.sorted.filter((i) => !removed.has(i));
    for (const i of added) {
      views[i] = trials[i];
      this.known++;
      this.depth[i] = depthOf(trials[i]!);
      this.count(this.depth[i]!, 1);
    }
    const reference = referenceStep(this.counts);
    if (reference !== this.reference) {
      // The reference step moved: every known trial is keyed again.
      this.reference = reference;
      this.sorted = [];
      for (const i of indices) if (views[i] !== undefined) this.place(this.sorted, i, trials[i]!, sign, false);
      this.sorted.sort((a, b) => (this.before(a, b) ? -1 : 1));
    } else {
      for (const i of added) this.place(this.sorted, i, trials[i]!, sign, true);
    }

    let ranked = this.sorted;
    const lie = liar === false || liar === "worst" ? null : lieValue(liar, trials, indices, sign);
    if (lie !== null && pending.length > 0) {
      ranked = ranked.slice();
      for (const i of pending) {
        this.loss[i] = lie;
        this.insert(ranked, i);
      }
    }
    const nGood = Math.max(0, Math.min(ranked.length, gamma(ranked.length)));
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood);
    if (liar !== false && lie === null) bad.push(...pending);
    return { good, bad };
  }

  /** Key a known trial against the reference step; add it to `list` if it reached it (in order, or at the end). */
  private place(list: number[], i: number, t: TrialView, sign: number, inOrder: boolean): void {
    if (this.depth[i]! < this.reference) return;
    this.loss[i] = lossAt(t, this.reference, sign);
    if (inOrder) this.insert(list, i);
    else list.push(i);
  }

  private count(depth: number, delta: number): void {
    const next = (this.counts.get(depth) ?? 0) + delta;
    if (next === 0) this.counts.delete(depth);
    else this.counts.set(depth, next);
  }

  private reset(goal: Goal): void {
    this.goal = goal;
    this.sorted = [];
    this.views = [];
    this.known = 0;
    this.counts = new Map();
    this.reference = NaN;
  }

  private grow(n: number): void {
    if (this.views.length < n) this.views.length = n;
    if (this.depth.length >= n) return;
    const size = Math.max(n, 2 * this.depth.length, 64);
    const depth = new Float64Array(size);
    const loss = new Float64Array(size);
    depth.set(this.depth);
    loss.set(this.loss);
    this.depth = depth;
    this.loss = loss;
  }

  /** The same order as `splitGoodBad`'s sort, on trial indices. */
  private before(a: number, b: number): boolean {
    const c = compareLoss(this.loss[a]!, this.loss[b]!);
    return c !== 0 ? c < 0 : a < b;
  }

  private insert(list: number[], i: number): void {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.before(list[mid]!, i)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === list.length) list.push(i);
    else list.splice(lo, 0, i);
  }
}
