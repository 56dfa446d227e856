/**
 * How a trial's objective value comes out of the values it reported: the sweep metric's last value
 * (W&B's summary semantics, the default) or its best one.
 */
import type { Goal } from "../config/types.js";

export type ObjectiveMode = "last" | "best";

export interface StepValue {
  readonly step: number;
  readonly value: number;
}

/** `better(a, b)` is true when a is strictly better than b under the goal. */
export function isBetter(goal: Goal, a: number, b: number): boolean {
  return goal === "maximize" ? a > b : a < b;
}

/**
 * The objective from reported values (any order), or null when nothing finite was reported.
 * Non-finite values are skipped here: the runner records a NaN report as the trial's failure cause before
 * this is ever asked.
 */
export function objectiveFromReports(values: readonly StepValue[], mode: ObjectiveMode, goal: Goal): number | null {
  let chosen: StepValue | null = null;
  for (const v of values) {
    if (!Number.isFinite(v.value)) continue;
    if (chosen === null) chosen = v;
    else if (mode === "last" ? v.step >= chosen.step : isBetter(goal, v.value, chosen.value)) chosen = v;
  }
  return chosen === null ? null : chosen.value;
}
