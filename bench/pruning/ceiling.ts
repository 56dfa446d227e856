/**
 * `node dist/bench/pruning/ceiling.js [--seeds 20] [--first-seed 1]`: how fast any pruner could be on each
 * family with random search, if it needed k epochs to judge a trial.
 *
 * The random-search rows of the benchmark draw the same points in the same order with or without pruning.
 * Take that sequence and an oracle that knows every trial's noiseless final loss: it stops every trial that
 * will not end near-best after exactly k epochs and runs the first near-best one to the end. Its epochs to
 * near-best, (trials before it) · k + 20, bound every pruner that needs k epochs to tell near-best from the
 * rest: a real rule also stops some near-best runs, and pays more than k epochs for the runs it keeps.
 * Set beside the family's profile (how many near-best configurations are outside the top third at epoch k),
 * it says at which k the issue's 3x target becomes reachable at all with random search, and whether a rule
 * judging from the loss could identify the near-best runs by then.
 */
import { FAMILIES, FAMILY_EPOCHS as EPOCHS, familyBest } from "./families.js";
import { runOurs } from "./ours.js";
import { describeProblem } from "./profile.js";
import { quantile } from "../stats.js";
import { argument } from "../args.js";

const JUDGED_AFTER = [1, 3, 5, 9, 15] as const;
const TARGET = 3;

const seeds = argument("seeds", 20);
const firstSeed = argument("first-seed", 1);
const lines = [
  `Seeds ${firstSeed}..${firstSeed + seeds - 1}, random search's sequence of points, a budget of 2000 epochs. Epochs to near-best, median over seeds, and the speed-up over random search without pruning; "outside" is the share of near-best configurations outside the top third at that epoch (the family's profile).`,
  "",
  `| family | no pruning | ${JUDGED_AFTER.map((k) => `oracle judging after ${k}`).join(" | ")} | 3x needs k <= |`,
  `|---|---:|${JUDGED_AFTER.map(() => "---:").join("|")}|---:|`,
];
for (const family of FAMILIES) {
  const best = familyBest(family);
  const profile = describeProblem(family, best);
  const before: number[] = [];
  const plain: number[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const run = await runOurs(family, { label: "random", method: "random" }, seed, 2000);
    const first = run.outcomes.findIndex((o) => o.trueFinal <= best + family.near);
    before.push(first < 0 ? Infinity : first);
    plain.push(first < 0 ? Infinity : (first + 1) * EPOCHS);
  }
  const baseline = quantile(plain, 0.5);
  const cells = JUDGED_AFTER.map((k) => {
    const median = quantile(before.map((n) => n * k + EPOCHS), 0.5);
    return `${median.toFixed(0)} (${(baseline / median).toFixed(1)}x; outside ${(100 * profile.nearBestOutsideTopThird[k]!).toFixed(0)}%)`;
  });
  // (trials before) · k + 20 <= baseline / 3 solved for k at the median number of trials before.
  const medianBefore = quantile(before, 0.5);
  const kMax = (baseline / TARGET - EPOCHS) / medianBefore;
  lines.push(`| ${family.name} | ${baseline.toFixed(0)} | ${cells.join(" | ")} | ${kMax.toFixed(1)} |`);
}
console.log(lines.join("\n"));
