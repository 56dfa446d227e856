/**
 * What the curve family looks like, measured rather than asserted: over an even grid of the search space
 * (even in the sampling measure, lr on a log scale), how the space splits into diverging, plateauing and
 * near-best configurations, how well the loss at an early epoch ranks the final loss, and how many of the
 * near-best configurations a rule judging at that epoch would see outside the top third (slow starters).
 */
import { FAMILY_EPOCHS as EPOCHS, familyGrid, trueFinalOf, type CurveFamily, type Params } from "./families.js";

export interface ProblemProfile {
  readonly points: number;
  /** Share whose final loss is >= 1 (a diverged run, worse than where it started). */
  readonly diverged: number;
  /** Share that did not diverge but ends >= 3 times the best: far too low an lr. */
  readonly plateaued: number;
  /** Share ending within `near` of the best achievable. */
  readonly nearBest: number;
  /** Per checked epoch: Spearman rank correlation of the noiseless loss there with the final loss. */
  readonly rankCorrelation: Readonly<Record<number, number>>;
  /** Per checked epoch: share of the near-best configurations not in the top third of the space there. */
  readonly nearBestOutsideTopThird: Readonly<Record<number, number>>;
}

export const PROFILED_EPOCHS = [1, 3, 5, 9, 15] as const;

export function describeProblem(family: CurveFamily, best: number, gridSize = 24): ProblemProfile {
  const near = family.near;
  const points: Params[] = [...familyGrid(family, gridSize)];
  const finals = points.map((p) => trueFinalOf(family, p));
  const isNear = finals.map((f) => f <= best + near);
  const nearCount = isNear.filter(Boolean).length;
  const rankCorrelation: Record<number, number> = {};
  const nearBestOutsideTopThird: Record<number, number> = {};
  const finalRanks = ranks(finals);
  for (const epoch of PROFILED_EPOCHS) {
    const early = points.map((p) => family.trueLoss(p, epoch));
    const earlyRanks = ranks(early);
    rankCorrelation[epoch] = pearson(earlyRanks, finalRanks);
    const topThird = points.length / 3;
    const outside = earlyRanks.filter((r, i) => isNear[i] && r >= topThird).length;
    nearBestOutsideTopThird[epoch] = nearCount === 0 ? 0 : outside / nearCount;
  }
  return {
    points: points.length,
    diverged: finals.filter((f) => f >= 1).length / points.length,
    plateaued: finals.filter((f) => f >= 3 * best && f < 1).length / points.length,
    nearBest: nearCount / points.length,
    rankCorrelation,
    nearBestOutsideTopThird,
  };
}

/** The profile as markdown lines for the benchmark's report. */
export function profileLines(profile: ProblemProfile): string[] {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  return [
    `Space (${profile.points} grid points): ${pct(profile.diverged)} diverge, ${pct(profile.plateaued)} plateau at >= 3x the best, ` +
      `${pct(profile.nearBest)} end near the best.`,
    "",
    `| epoch (of ${EPOCHS}) | ${PROFILED_EPOCHS.join(" | ")} |`,
    `|---|${PROFILED_EPOCHS.map(() => "---:").join("|")}|`,
    `| rank correlation of the loss there with the final loss | ${PROFILED_EPOCHS.map((e) => profile.rankCorrelation[e]!.toFixed(2)).join(" | ")} |`,
    `| near-best configs outside the top third there | ${PROFILED_EPOCHS.map((e) => pct(profile.nearBestOutsideTopThird[e]!)).join(" | ")} |`,
  ];
}

/** 0-based ranks, ascending (ties broken by position: the grid has few exact ties and they do not matter here). */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const result = new Array<number>(values.length);
  order.forEach(([, i], rank) => (result[i] = rank));
  return result;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n;
  const mb = b.reduce((s, x) => s + x, 0) / n;
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    cov += (a[i]! - ma) * (b[i]! - mb);
    va += (a[i]! - ma) ** 2;
    vb += (b[i]! - mb) ** 2;
  }
  return cov / Math.sqrt(va * vb);
}
