import assert from "node:assert/strict";
import { test } from "node:test";
import { CALIBRATION_MIN_COMPLETED, CALIBRATION_SAMPLE, IncrementalRanking, JUDGED_FROM_REPORTS, REFERENCE_MIN_TRIALS, splitGoodBad, stepPredicts } from "../../src/samplers/tpe/index.js";
import type { ConstantLiar } from "../../src/samplers/tpe/options.js";
import type { TrialView } from "../../src/samplers/types.js";
import type { TrialStatus } from "../../src/storage/types.js";
import { createRng } from "../../src/space/rng.js";

const gamma = (n: number): number => Math.min(Math.ceil(0.2 * n), 25);
const STATUSES: TrialStatus[] = ["completed", "completed", "completed", "pruned", "running", "queued", "failed"];

/** With many pruned trials and few completed ones the reference step moves through the steps as the history grows. */
const PRUNING_HEAVY: TrialStatus[] = ["completed", "pruned", "pruned", "pruned", "pruned", "pruned", "running", "failed"];

/**
 * A random trial; values drawn from a few levels so ties (broken by history position) are common. Pruned
 * trials report 0..5 steps, completed ones none or all 6 (some trainers report nothing along the way).
 */
function randomTrial(number: number, rng: () => number, statuses = STATUSES): TrialView {
  const status = statuses[Math.floor(rng() * statuses.length)]!;
  const value = status === "completed" || status === "pruned" ? Math.floor(rng() * 6) : null;
  const steps = status === "pruned" ? Math.floor(rng() * 6) : status === "completed" && rng() < 0.7 ? 6 : 0;
  const intermediate = Array.from({ length: steps }, (_, s) => ({ step: s + 1, value: Math.floor(rng() * 6) }));
  return { number, status, params: {}, meta: {}, value, intermediate };
}

for (const [goal, statuses] of [["minimize", STATUSES], ["maximize", STATUSES], ["minimize", PRUNING_HEAVY]] as const) {
  for (const liar of [false, "worst", "best", "mean", 2.5] as ConstantLiar[]) {
    const mix = statuses === PRUNING_HEAVY ? ", mostly pruned" : "";
    test(`the kept ranking equals a full re-rank through appends, changes and removals (${goal}${mix}, liar ${String(liar)})`, () => {
      const rng = createRng(`ranking:${goal}${mix}:${String(liar)}`);
      const ranking = new IncrementalRanking();
      let trials: TrialView[] = [];
      for (let ask = 0; ask < 150; ask++) {
        trials = trials.slice();
        // A new trial or two, and sometimes an earlier one changes (finishes, is pruned, is requeued).
        for (let k = 0; k < 1 + Math.floor(rng() * 2); k++) trials.push(randomTrial(trials.length, rng, statuses));
        if (rng() < 0.3 && trials.length > 1) {
          const i = Math.floor(rng() * trials.length);
          trials[i] = randomTrial(i, rng, statuses);
        }
        // Usable trials only, as the sampler passes them; now and then a group that leaves some out.
        const usable = trials.flatMap((t, i) => (t.status === "failed" ? [] : [i]));
        const indices = ask % 17 === 0 ? usable.filter((i) => i % 3 !== 0) : usable;
        const expected = splitGoodBad(trials, indices, goal, liar, gamma);
        assert.deepEqual(ranking.split(trials, indices, goal, liar, gamma), expected, `ask ${ask}`);
      }
    });
  }
}

test("the kept ranking starts over for another goal or a shorter history", () => {
  const rng = createRng("ranking:reset");
  const trials = Array.from({ length: 40 }, (_, i) => randomTrial(i, rng)).map((t) => (t.status === "failed" ? { ...t, status: "completed" as const, value: 1 } : t));
  const all = trials.map((_, i) => i);
  const ranking = new IncrementalRanking();
  for (const goal of ["minimize", "maximize", "minimize"] as const) {
    assert.deepEqual(ranking.split(trials, all, goal, "worst", gamma), splitGoodBad(trials, all, goal, "worst", gamma));
  }
  const shorter = trials.slice(0, 20);
  const some = shorter.map((_, i) => i);
  assert.deepEqual(ranking.split(shorter, some, "minimize", "mean", gamma), splitGoodBad(shorter, some, "minimize", "mean", gamma));
});

const view = (number: number, status: TrialStatus, value: number | null, values: readonly number[] = []): TrialView => ({
  number,
  status,
  params: {},
  meta: {},
  value,
  intermediate: values.map((v, s) => ({ step: s + 1, value: v })),
});
const everyone = (n: number): number => n;

test("a pruned trial that was better at the reference step than completed trials were there ranks above them", () => {
  // Fewer than REFERENCE_MIN_TRIALS trials: the reference is the deepest step all of them reached, step 3.
  // The slow starter (trial 2) was behind at step 1 and ahead at step 3, where it was stopped.
  const trials = [
    view(0, "completed", 0.3, [0.5, 0.45, 0.4, 0.35, 0.3]),
    view(1, "completed", 0.2, [0.6, 0.4, 0.3, 0.25, 0.2]),
    view(2, "pruned", null, [0.9, 0.5, 0.28]),
  ];
  assert.deepEqual(splitGoodBad(trials, [0, 1, 2], "minimize", "worst", everyone).good, [2, 1, 0]);
  // With one trial stopped at step 1, the reference is step 1: there the slow starter is last.
  const withEarly = [...trials, view(3, "pruned", null, [0.7])];
  assert.deepEqual(splitGoodBad(withEarly, [0, 1, 2, 3], "minimize", "worst", everyone).good, [0, 1, 3, 2]);
});

test("the reference step is the deepest step at least REFERENCE_MIN_TRIALS trials reached; trials stopped before it are left out while nothing shows their step predicts the end", () => {
  assert.equal(REFERENCE_MIN_TRIALS, 10);
  assert.equal(CALIBRATION_MIN_COMPLETED, 10);
  // 4 completed (depth: the end), 6 stopped at step 5, 5 stopped at step 2: 10 trials reached step 5.
  const trials: TrialView[] = [];
  for (let k = 0; k < 4; k++) trials.push(view(trials.length, "completed", 0.1 + k / 100, [0.9, 0.8, 0.7, 0.6, 0.5 + k / 100, 0.3]));
  for (let k = 0; k < 6; k++) trials.push(view(trials.length, "pruned", null, [0.9, 0.8, 0.7, 0.6, 0.45 + k / 50]));
  for (let k = 0; k < 5; k++) trials.push(view(trials.length, "pruned", null, [0.1, 0.05]));
  const all = trials.map((_, i) => i);
  const { good, bad } = splitGoodBad(trials, all, "minimize", "worst", everyone);
  // By value at step 5: 0.45 (4), 0.47 (5), 0.49 (6), 0.5 (0), 0.51 (1), 0.51 (7), 0.52 (2), 0.53 (3, 8), 0.55 (9).
  assert.deepEqual(good, [4, 5, 6, 0, 1, 7, 2, 3, 8, 9]);
  assert.deepEqual(bad, [], "the five stopped at step 2 are neither good nor bad, however good they looked there (4 completed trials show nothing)");
  const kept = new IncrementalRanking();
  assert.deepEqual(kept.split(trials, all, "minimize", "worst", everyone), { good, bad });

  // Six more completed trials: ten reached the end, and the ranking is by final value. The six led at steps 2
  // and 5 and finished behind trial 0, the best, which was behind at both: curves that cross. Those steps do
  // not predict the end, and every pruned trial stays out of the model.
  const crossing = trials.slice();
  for (let k = 0; k < 6; k++) crossing.push(view(crossing.length, "completed", 0.2 + k / 100, [0.9, 0.3, 0.3, 0.3, 0.4, 0.2 + k / 100]));
  const fifth = (n: number): number => Math.ceil(n / 5);
  const everyIndex = crossing.map((_, i) => i);
  const left = splitGoodBad(crossing, everyIndex, "minimize", "worst", fifth);
  assert.deepEqual(left, { good: [0, 1], bad: [2, 3, 15, 16, 17, 18, 19, 20] });
  assert.deepEqual(kept.split(crossing, everyIndex, "minimize", "worst", fifth), left);

  // The same six behind trial 0 at those steps as at the end: the best finisher was in the top third there,
  // so the steps predict the end. The six stopped at step 5 rank last and count towards n (16: 4 good); the
  // five stopped at step 2, on JUDGED_FROM_REPORTS - 1 reports, stay out.
  assert.equal(JUDGED_FROM_REPORTS, 3);
  const ordered = trials.slice();
  for (let k = 0; k < 6; k++) ordered.push(view(ordered.length, "completed", 0.2 + k / 100, [0.95, 0.9, 0.8, 0.7, 0.6, 0.2 + k / 100]));
  const judged = splitGoodBad(ordered, everyIndex, "minimize", "worst", fifth);
  assert.deepEqual(judged, { good: [0, 1, 2, 3], bad: [15, 16, 17, 18, 19, 20, 4, 5, 6, 7, 8, 9] });
  // A third report at step 2 makes them judgeable: they follow, after the deeper stops.
  const thrice = ordered.map((t, i) => (i >= 10 && i < 15 ? { ...t, intermediate: [...t.intermediate.slice(0, 1), { step: 1.5, value: 0.07 }, ...t.intermediate.slice(1)] } : t));
  const judgedAll = splitGoodBad(thrice, everyIndex, "minimize", "worst", fifth);
  assert.deepEqual(judgedAll, { good: [0, 1, 2, 3, 15], bad: [16, 17, 18, 19, 20, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14] });
  assert.deepEqual(new IncrementalRanking().split(thrice, everyIndex, "minimize", "worst", fifth), judgedAll);
  assert.deepEqual(kept.split(ordered, everyIndex, "minimize", "worst", fifth), judged);
});

test("a step predicts the end when the best tenth of the completed trials were all in the top third there", () => {
  const completedAt = (rows: readonly (readonly [number, number])[]): TrialView[] =>
    rows.map(([atStep1, final], i) => view(i, "completed", final, [atStep1, final]));
  // Nine completed trials are too few to judge, however orderly.
  const orderly = Array.from({ length: 12 }, (_, i) => [0.5 + i / 100, 0.1 + i / 100] as const);
  assert.equal(stepPredicts(completedAt(orderly.slice(0, 9)), 1, 1), false);
  assert.equal(stepPredicts(completedAt(orderly.slice(0, 10)), 1, 1), true);
  // Twelve trials: the best tenth is one trial, the top third four. The best finisher 4th at step 1: predictive;
  // 5th: not.
  const fourth = orderly.map(([a, f], i) => [i === 0 ? 0.535 : a, f] as const);
  const fifth = orderly.map(([a, f], i) => [i === 0 ? 0.545 : a, f] as const);
  assert.equal(stepPredicts(completedAt(fourth), 1, 1), true);
  assert.equal(stepPredicts(completedAt(fifth), 1, 1), false);
  // Twenty trials: the best two must both be in the top seven; maximising flips both orders.
  const twenty = Array.from({ length: 20 }, (_, i) => [0.5 + i / 100, 0.1 + i / 100] as const);
  const secondBehind = twenty.map(([a, f], i) => [i === 1 ? 0.575 : a, f] as const);
  assert.equal(stepPredicts(completedAt(twenty), 1, 1), true);
  assert.equal(stepPredicts(completedAt(secondBehind), 1, 1), false);
  const negated = (rows: readonly (readonly [number, number])[]) => rows.map(([a, f]) => [-a, -f] as const);
  assert.equal(stepPredicts(completedAt(negated(twenty)), 1, -1), true);
  assert.equal(stepPredicts(completedAt(negated(secondBehind)), 1, -1), false);
});

test("past CALIBRATION_SAMPLE completed trials the kept ranking still equals a full re-rank", () => {
  assert.equal(CALIBRATION_SAMPLE, 256);
  const rng = createRng("ranking:long");
  // Two completed trials in five; the others pruned at steps 1..5 with up to 5 reports.
  const mostlyDone: TrialStatus[] = ["completed", "completed", "pruned", "pruned", "pruned"];
  const ranking = new IncrementalRanking();
  const trials: TrialView[] = [];
  let judgedSeen = 0;
  while (trials.length < 900) {
    trials.push(randomTrial(trials.length, rng, mostlyDone));
    if (trials.length % 30 !== 0) continue;
    const all = trials.map((_, i) => i);
    const expected = splitGoodBad(trials, all, "minimize", "worst", gamma);
    assert.deepEqual(ranking.split(trials, all, "minimize", "worst", gamma), expected, `at ${trials.length} trials`);
    if (expected.bad.some((i) => trials[i]!.status === "pruned")) judgedSeen++;
  }
  assert.ok(judgedSeen > 0, "some pruned trials were judged bad along the way");
});

test("whether a step predicts the end is read from the latest CALIBRATION_SAMPLE completed trials", () => {
  const trials: TrialView[] = [];
  // 300 early completed trials whose best finishers were behind at step 3 (curves that crossed), then 300
  // whose order at step 3 was their final order, then pruned trials stopped at step 3 on three reports.
  for (let k = 0; k < 300; k++) trials.push(view(trials.length, "completed", 0.1 + k / 1e4, [0.9, 0.9, 0.9 - k / 1e3, 0.1 + k / 1e4]));
  for (let k = 0; k < 300; k++) trials.push(view(trials.length, "completed", 0.2 + k / 1e4, [0.9, 0.9, 0.2 + k / 1e4, 0.2 + k / 1e4]));
  for (let k = 0; k < 20; k++) trials.push(view(trials.length, "pruned", null, [0.9, 0.9, 0.95]));
  const all = trials.map((_, i) => i);
  const expected = splitGoodBad(trials, all, "minimize", "worst", gamma);
  // Over all 600 the best finishers (the early ones) were behind at step 3; over the latest 256, in front.
  assert.equal(stepPredicts(trials.slice(0, 600), 3, 1), false);
  assert.equal(stepPredicts(trials.slice(600 - CALIBRATION_SAMPLE, 600), 3, 1), true);
  assert.deepEqual(expected.bad.slice(-20), all.slice(600), "the 20 pruned trials are judged bad, last");
  assert.deepEqual(new IncrementalRanking().split(trials, all, "minimize", "worst", gamma), expected);
});
