/**
 * Which trials the model learns from and how they rank. Completed trials and pruned trials are compared at
 * a common *reference step*: the deepest step that at least `REFERENCE_MIN_TRIALS` of them reached (BOHB's
 * rule: model the largest budget with enough observations). Once that many trials completed it is the end
 * of training and the ranking is by final value; before that, a pruned trial that reached the reference
 * step ranks among the completed ones by its value there. A pruned trial stopped before the reference step
 * is left out of the model: being stopped early is not evidence that its configuration ends badly (slow
 * starters are stopped early), so it counts neither as good nor as bad — unless the sweep's own completed
 * trials show that its step does predict the end (`stepPredicts`): then it ranks below every trial that
 * reached the reference step, deeper stops first, as Optuna ranks pruned trials. Failed and interrupted trials say
 * nothing about the objective and are left out too. Running and queued trials enter through the constant
 * liar. The reasons are in docs/tpe.md, "Pruned trials".
 */
import type { Goal } from "../../config/types.js";
import type { TrialView } from "../types.js";
import type { ConstantLiar, GammaFunction } from "./options.js";

/** Trials that must have reached a step for it to be the reference step (fewer in all: every one of them). */
export const REFERENCE_MIN_TRIALS = 10;

/** Completed trials needed before the history may show that a step predicts the end (`stepPredicts`). */
export const CALIBRATION_MIN_COMPLETED = 10;

/**
 * How many of the latest completed trials `stepPredicts` reads: enough for the best tenth to be 25 trials,
 * and a fixed sample keeps its cost flat as the sweep grows (it is redone whenever a trial completes).
 */
export const CALIBRATION_SAMPLE = 256;

/**
 * Reports a pruned trial must have made to be judged bad at all: three, as a curve needs three values to
 * show its bend (W&B hyperband's forecasts start there too). With W&B hyperband at `min_iter: 1` this keeps
 * the trials stopped at the first band, on their first value, out of the model.
 */
export const JUDGED_FROM_REPORTS = 3;

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

/**
 * Whether being behind at `step` has meant ending behind in this sweep: with at least
 * CALIBRATION_MIN_COMPLETED completed trials, every one of the best tenth of them by final value (at least
 * one) was in the top third of them at that step. On curves that cross (slow starters finish best) it
 * fails, and a trial stopped there stays out of the model; on curves that keep their order it holds, and a
 * trial stopped there is evidence that its region ends badly. `completed` are completed trials in history
 * order (the rankings pass the latest CALIBRATION_SAMPLE).
 */
export function stepPredicts(completed: readonly TrialView[], step: number, sign: number): boolean {
  // Callers pass completed trials with a value (informative ones); ties between them go by history order.
  const n = completed.length;
  if (n < CALIBRATION_MIN_COMPLETED) return false;
  const finals = completed.map((t) => sign * t.value!);
  const atStep = completed.map((t) => lossAt(t, step, sign));
  const byFinal = finals.map((_, k) => k).sort((a, b) => compareLoss(finals[a]!, finals[b]!) || a - b);
  const topThird = atStep.slice().sort(compareLoss)[Math.ceil(n / 3) - 1]!;
  const best = Math.max(1, Math.floor(n / 10));
  for (let r = 0; r < best; r++) if (!(atStep[byFinal[r]!]! <= topThird)) return false;
  return true;
}

/**
 * Whether a trial left out before the reference step may be judged bad (`stepPredicts`): a pruned trial
 * with at least JUDGED_FROM_REPORTS finite reports. One stopped earlier was judged on a report or two, each
 * one draw of the noise (a bad batch), and stays out whatever its step shows.
 */
function judgeable(t: TrialView): boolean {
  if (t.status !== "pruned") return false;
  let reports = 0;
  for (const point of t.intermediate) if (Number.isFinite(point.value) && ++reports >= JUDGED_FROM_REPORTS) return true;
  return false;
}

/**
 * The pruned trials left out before the reference step that the history says are bad (`stepPredicts` at
 * their depth), deeper stops first and in history order within a depth. `byDepth` maps a depth to its
 * left-out trials in history order; `predicts` answers for one depth.
 */
function judgedBad(byDepth: ReadonlyMap<number, readonly number[]>, predicts: (depth: number) => boolean): number[] {
  const out: number[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    if (Number.isFinite(depth) && predicts(depth)) out.push(...byDepth.get(depth)!);
  }
  return out;
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
  const completed: number[] = [];
  const leftOut = new Map<number, number[]>();
  for (const i of indices) {
    const t = trials[i]!;
    if (t.status === "completed" || t.status === "pruned") {
      if (t.status === "completed") completed.push(i);
      const depth = depthOf(t);
      if (depth < reference) {
        // Stopped before the reference step: left out, unless its step proves predictive (below).
        if (judgeable(t)) fileUnder(leftOut, depth, i);
        continue;
      }
      loss.set(i, lossAt(t, reference, sign));
      ranked.push(i);
    } else pending.push(i);
  }
  const lie = liar === false || liar === "worst" ? null : lieValue(liar, trials, indices, sign);
  if (lie !== null) for (const i of pending) (loss.set(i, lie), ranked.push(i));
  ranked.sort((a, b) => compareLoss(loss.get(a)!, loss.get(b)!) || a - b);
  const completedViews = completed.sort((a, b) => a - b).slice(-CALIBRATION_SAMPLE).map((i) => trials[i]!);
  const last = judgedBad(leftOut, (depth) => stepPredicts(completedViews, depth, sign));
  // The judged-bad trials count towards gamma's n (they are ranked, last) but are never good.
  const nGood = Math.max(0, Math.min(ranked.length, gamma(ranked.length + last.length)));
  const good = ranked.slice(0, nGood);
  const bad = ranked.slice(nGood).concat(last);
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
  /** Known completed trials' indices, ascending (what `stepPredicts` reads). */
  private completed: number[] = [];
  /** Depth → known pruned trials stopped before the reference step, ascending. */
  private leftOut = new Map<number, number[]>();
  /** Depth → `stepPredicts` on the current completed trials (cleared when they change). */
  private predicts = new Map<number, boolean>();
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
    let completedChanged = false;
    for (const i of removed) {
      this.count(this.depth[i]!, -1);
      if (views[i]!.status === "completed") completedChanged = true;
      views[i] = undefined;
      this.known--;
    }
    if (removed.size > 0) {
      this.sorted = this.sorted.filter((i) => !removed.has(i));
      if (completedChanged) this.completed = this.completed.filter((i) => !removed.has(i));
      for (const [depth, list] of this.leftOut) {
        const rest = list.filter((i) => !removed.has(i));
        if (rest.length === 0) this.leftOut.delete(depth);
        else this.leftOut.set(depth, rest);
      }
    }
    for (const i of added) {
      views[i] = trials[i];
      this.known++;
      this.depth[i] = depthOf(trials[i]!);
      this.count(this.depth[i]!, 1);
      if (trials[i]!.status === "completed") {
        insertAscending(this.completed, i);
        completedChanged = true;
      }
    }
    if (completedChanged) this.predicts.clear();
    const reference = referenceStep(this.counts);
    if (reference !== this.reference) {
      // The reference step moved: every known trial is keyed again.
      this.reference = reference;
      this.sorted = [];
      this.leftOut = new Map();
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
    const last = judgedBad(this.leftOut, (depth) => this.stepPredicts(trials, depth, sign));
    const nGood = Math.max(0, Math.min(ranked.length, gamma(ranked.length + last.length)));
    const good = ranked.slice(0, nGood);
    const bad = ranked.slice(nGood).concat(last);
    if (liar !== false && lie === null) bad.push(...pending);
    return { good, bad };
  }

  /** `stepPredicts` on the known completed trials, remembered until they change. */
  private stepPredicts(trials: readonly TrialView[], depth: number, sign: number): boolean {
    let answer = this.predicts.get(depth);
    if (answer === undefined) {
      answer = stepPredicts(this.completed.slice(-CALIBRATION_SAMPLE).map((i) => trials[i]!), depth, sign);
      this.predicts.set(depth, answer);
    }
    return answer;
  }

  /**
   * Key a known trial against the reference step; add it to `list` if it reached it (in order, or at the
   * end), else, if it is a pruned trial, to the left-out trials of its depth.
   */
  private place(list: number[], i: number, t: TrialView, sign: number, inOrder: boolean): void {
    if (this.depth[i]! < this.reference) {
      if (judgeable(t)) fileUnder(this.leftOut, this.depth[i]!, i);
      return;
    }
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
    this.completed = [];
    this.leftOut = new Map();
    this.predicts = new Map();
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

/** Add trial index `i` to `byDepth`'s ascending list for `depth`. */
function fileUnder(byDepth: Map<number, number[]>, depth: number, i: number): void {
  const list = byDepth.get(depth);
  if (list === undefined) byDepth.set(depth, [i]);
  else insertAscending(list, i);
}

/** Insert `i` into the ascending `list` (binary search; appends cost O(1)). */
function insertAscending(list: number[], i: number): void {
  if (list.length === 0 || list[list.length - 1]! < i) {
    list.push(i);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < i) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, i);
}
