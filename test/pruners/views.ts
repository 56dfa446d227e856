/** Small builders for pruner tests: trial histories written as plain lists of values. */
import type { Goal } from "../../src/config/types.js";
import type { PrunerContext } from "../../src/pruners/types.js";
import type { TrialView } from "../../src/samplers/types.js";
import type { TrialStatus } from "../../src/storage/types.js";

/** A trial whose i-th value was reported at step `firstStep + i` (or at the given steps). */
export function trial(
  number: number,
  values: readonly number[],
  options: { status?: TrialStatus; steps?: readonly number[]; firstStep?: number } = {},
): TrialView {
  const first = options.firstStep ?? 1;
  return {
    number,
    status: options.status ?? "running",
    params: {},
    meta: {},
    value: null,
    intermediate: values.map((value, i) => ({ step: options.steps?.[i] ?? first + i, value })),
  };
}

/** The context judging `judged` among `others` (the judged trial is added to `trials`). */
export function judge(judged: TrialView, others: readonly TrialView[], goal: Goal = "minimize"): PrunerContext {
  return { goal, trial: judged, trials: [...others, judged] };
}
