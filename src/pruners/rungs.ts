/**
 * Successive-halving rungs, shared by ASHA and the multi-bracket Hyperband. A rung is a resource — a
 * reported step (report epochs as steps 1, 2, 3, …); a trial reaches it with its first report at or past it. When a trial first reports at or past a rung it must be in the top
 * 1/reductionFactor of the trials that reached that rung so far, or it stops — the stopping form of
 * asynchronous successive halving (Li et al. 2020), which never waits for a rung to fill.
 */
import type { Goal } from "../config/types.js";
import type { TrialView } from "../samplers/types.js";
import { firstPointAtOrAfter, formatValue, fromLoss, lossCurve, worseWord } from "./curve.js";
import type { PruneDecision } from "./types.js";

/** Where the rungs of one successive-halving ladder sit. */
export interface RungLadder {
  /** The top 1/reductionFactor of the trials at a rung goes on. */
  readonly reductionFactor: number;
  /** No decision at a rung until this many trials (the judged one included) have reached it. */
  readonly minTrials: number;
  /** The step of rung k (0 = lowest), or undefined past the last rung. Increasing in k. */
  resource(rung: number): number | undefined;
}

/** The highest rung at or below `step`, or -1 when the trial has not reached the first. */
export function highestRungAt(ladder: RungLadder, step: number): number {
  let rung = -1;
  for (let k = 0; ; k++) {
    const resource = ladder.resource(k);
    if (resource === undefined || resource > step) return rung;
    rung = k;
  }
}

/**
 * The rung decision for `trial` among `competitors` (the trials sharing its rungs, itself included).
 * Only the report that first reaches a rung is judged: later reports below the next rung were already
 * let through, and judging them again would demote a promoted trial. Callers therefore ask after every
 * report, as the runner and `optimize` do.
 */
export function decideAtRung(
  ladder: RungLadder,
  goal: Goal,
  trial: TrialView,
  competitors: readonly TrialView[],
  label: string,
): PruneDecision {
  const own = lossCurve(trial, goal);
  const latest = own[own.length - 1];
  if (latest === undefined) return { prune: false };
  const rung = highestRungAt(ladder, latest.step);
  if (rung < 0) return { prune: false, step: latest.step };
  const resource = ladder.resource(rung)!;
  const previous = own[own.length - 2];
  if (previous !== undefined && previous.step >= resource) return { prune: false, step: latest.step };

  const atRung: number[] = [];
  for (const t of competitors) {
    if (t.status === "failed" && t.number !== trial.number) continue;
    const point = firstPointAtOrAfter(lossCurve(t, goal), resource);
    if (point !== undefined) atRung.push(point.loss);
  }
  if (atRung.length < ladder.minTrials) return { prune: false, step: latest.step };
  atRung.sort((a, b) => a - b);
  // Keep the top floor(n / rf); with fewer than rf trials at the rung only the best so far goes on.
  const kept = Math.max(Math.floor(atRung.length / ladder.reductionFactor), 1);
  const threshold = atRung[kept - 1]!;
  const shownThreshold = fromLoss(goal, threshold);
  if (!(latest.loss > threshold)) return { prune: false, step: latest.step, threshold: shownThreshold };
  return {
    prune: true,
    step: latest.step,
    threshold: shownThreshold,
    reason:
      `${label} rung ${rung} (step ${formatValue(resource)}): value ${formatValue(fromLoss(goal, latest.loss))} is ` +
      `${worseWord(goal)} ${formatValue(shownThreshold)}, the worst of the top ${kept} of ${atRung.length} trials at that rung`,
  };
}
