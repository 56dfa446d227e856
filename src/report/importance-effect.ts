/**
 * What the importance chart shows: PED-ANOVA's shares (importance.ts) once there are enough completed
 * trials, each with the direction of its effect; before that, rank correlations as a labelled hint rather
 * than nothing; and the reason whenever something cannot be shown.
 *
 * The direction is Spearman's rank correlation between a numeric parameter (on its axis, so log parameters
 * are ranked the same either way) and the objective, signed so that positive means "larger values did
 * better" whatever the goal. A categorical parameter has no direction; its best category (by mean value)
 * is named instead.
 */
import type { Goal } from "../config/types.js";
import type { SearchSpace } from "../space/types.js";
import type { TrialRecord } from "../storage/types.js";
import { MIN_TRIALS_FOR_IMPORTANCE, pedAnova } from "./importance.js";
import { axisPosition, categoryOf, paramAxis, type ParamAxis } from "./param-axes.js";

/** Below this many completed trials not even a rank correlation means anything. */
export const MIN_TRIALS_FOR_HINT = 3;

export interface ImportanceEntry {
  readonly name: string;
  /** Share of the total, 0 to 1. */
  readonly importance: number;
  /** Rank correlation, −1 to 1, signed so that > 0 means larger values did better; null for categories. */
  readonly effect: number | null;
  /** For a categorical parameter: the category with the best mean objective. */
  readonly bestCategory: string | null;
}

export type ImportanceView =
  | { readonly method: string; readonly preliminary: boolean; readonly entries: readonly ImportanceEntry[]; readonly note: string }
  | { readonly method: string; readonly unavailable: string };

export function importanceView(trials: readonly TrialRecord[], paramNames: readonly string[], space: SearchSpace | null, goal: Goal): ImportanceView {
  const scored = trials.filter((t) => t.status === "completed" && t.value !== null && Number.isFinite(t.value));
  const axes = new Map<string, ParamAxis>();
  for (const name of paramNames) {
    const axis = paramAxis(space, name, scored.map((t) => t.params[name]));
    if (axis) axes.set(name, axis);
  }
  const sign = goal === "maximize" ? 1 : -1;
  const describe = (name: string, importance: number): ImportanceEntry => {
    const axis = axes.get(name)!;
    return { name, importance, ...direction(axis, scored, sign) };
  };

  if (scored.length >= MIN_TRIALS_FOR_IMPORTANCE) {
    const result = pedAnova(trials, paramNames, space, goal);
    if ("unavailable" in result) return result;
    return {
      method: result.method,
      preliminary: false,
      entries: result.params.filter((p) => axes.has(p.name)).map((p) => describe(p.name, p.importance)),
      note:
        `${result.method}: how differently each parameter is distributed among the best ${result.top} of ${result.trials} completed ` +
        `trials (top ${result.quantile * 100}%) than among all of them, as shares of the total. ` +
        `Effect: rank correlation with the objective, > 0 when larger values did better.`,
    };
  }
  if (scored.length < MIN_TRIALS_FOR_HINT) {
    return {
      method: "PED-ANOVA",
      unavailable: `needs at least ${MIN_TRIALS_FOR_IMPORTANCE} completed trials (${MIN_TRIALS_FOR_HINT} for a first hint), has ${scored.length}`,
    };
  }
  if (axes.size === 0) return { method: "rank correlation", unavailable: "no parameter took two or more values among the completed trials" };
  const strengths = [...axes.keys()].map((name) => ({ name, strength: strength(axes.get(name)!, scored) }));
  const total = strengths.reduce((s, x) => s + x.strength, 0);
  return {
    method: "rank correlation",
    preliminary: true,
    entries: strengths
      .map((x) => describe(x.name, total > 0 ? x.strength / total : 0))
      .sort((a, b) => b.importance - a.importance),
    note:
      `A first hint only: PED-ANOVA needs at least ${MIN_TRIALS_FOR_IMPORTANCE} completed trials, has ${scored.length}. ` +
      `Shown until then: the strength of each parameter's rank correlation with the objective (|Spearman ρ|, or the ` +
      `correlation ratio η for categories), as shares of the total.`,
  };
}

function direction(axis: ParamAxis, scored: readonly TrialRecord[], sign: number): { effect: number | null; bestCategory: string | null } {
  if (axis.kind === "categorical") {
    const means = groupMeans(axis, scored);
    let best: string | null = null;
    let bestMean = -Infinity;
    for (const [category, mean] of means) if (sign * mean > bestMean) [best, bestMean] = [category, sign * mean];
    return { effect: null, bestCategory: best };
  }
  const pairs = pairsOn(axis, scored);
  const rho = spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  return { effect: rho === null ? null : sign * rho, bestCategory: null };
}

/** |ρ| for numbers, η (sqrt of between-group over total variance of the ranks) for categories. */
function strength(axis: ParamAxis, scored: readonly TrialRecord[]): number {
  if (axis.kind === "numeric") {
    const pairs = pairsOn(axis, scored);
    return Math.abs(spearman(pairs.map((p) => p[0]), pairs.map((p) => p[1])) ?? 0);
  }
  const labelled = scored.filter((t) => t.params[axis.name] !== undefined && t.params[axis.name] !== null);
  const r = ranks(labelled.map((t) => t.value!));
  const mean = r.reduce((s, x) => s + x, 0) / Math.max(1, r.length);
  const total = r.reduce((s, x) => s + (x - mean) ** 2, 0);
  if (total === 0) return 0;
  const groups = new Map<string, number[]>();
  labelled.forEach((t, i) => {
    const key = categoryOf(t.params[axis.name]);
    groups.set(key, [...(groups.get(key) ?? []), r[i]!]);
  });
  let between = 0;
  for (const g of groups.values()) between += g.length * (g.reduce((s, x) => s + x, 0) / g.length - mean) ** 2;
  return Math.sqrt(between / total);
}

function groupMeans(axis: ParamAxis, scored: readonly TrialRecord[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const t of scored) {
    const v = t.params[axis.name];
    if (v === undefined || v === null) continue;
    const key = categoryOf(v);
    const s = sums.get(key) ?? { sum: 0, n: 0 };
    sums.set(key, { sum: s.sum + t.value!, n: s.n + 1 });
  }
  return new Map([...sums].map(([k, s]) => [k, s.sum / s.n]));
}

function pairsOn(axis: ParamAxis, scored: readonly TrialRecord[]): [number, number][] {
  return scored.flatMap((t) => {
    const x = axisPosition(axis, t.params[axis.name]);
    return x === null ? [] : [[x, t.value!] as [number, number]];
  });
}

/** Spearman's ρ (Pearson correlation of average ranks); null when either side is constant. */
export function spearman(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const rx = ranks(xs);
  const ry = ranks(ys);
  const mx = rx.reduce((s, v) => s + v, 0) / rx.length;
  const my = ry.reduce((s, v) => s + v, 0) / ry.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < rx.length; i++) {
    sxy += (rx[i]! - mx) * (ry[i]! - my);
    sxx += (rx[i]! - mx) ** 2;
    syy += (ry[i]! - my) ** 2;
  }
  return sxx === 0 || syy === 0 ? null : sxy / Math.sqrt(sxx * syy);
}

/** Average ranks (ties share the mean of their positions), 1-based. */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let k = i; k <= j; k++) out[order[k]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return out;
}
