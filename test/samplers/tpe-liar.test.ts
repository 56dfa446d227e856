import assert from "node:assert/strict";
import { test } from "node:test";
import { splitGoodBad, TPESampler } from "../../src/samplers/tpe/index.js";
import type { TrialView } from "../../src/samplers/types.js";
import type { SearchSpace } from "../../src/space/types.js";
import { completed, suggest } from "./tpe-helpers.js";

const space2d: SearchSpace = {
  params: [
    { name: "x", path: ["x"], dist: { kind: "uniform", min: 0, max: 1 } },
    { name: "y", path: ["y"], dist: { kind: "uniform", min: 0, max: 1 } },
  ],
};

function history(seedShift: number): TrialView[] {
  return Array.from({ length: 30 }, (_, i) => {
    const x = ((i + seedShift) * 0.6180339887) % 1;
    const y = ((i + seedShift) * 0.7548776662) % 1;
    return completed(i, { x, y }, (x - 0.7) ** 2 + (y - 0.3) ** 2);
  });
}

/** Five workers asking one after another while the earlier ones still run. */
function parallelAsks(sampler: TPESampler, trials: TrialView[], seed: number): { x: number; y: number }[] {
  const running: TrialView[] = [];
  const points: { x: number; y: number }[] = [];
  for (let k = 0; k < 5; k++) {
    const number = trials.length + k;
    const params = suggest(sampler, space2d, [...trials, ...running], number, "minimize", seed);
    running.push({ number, status: "running", params, meta: {}, value: null, intermediate: [] });
    points.push(params as { x: number; y: number });
  }
  return points;
}

function minPairDistance(points: readonly { x: number; y: number }[]): number {
  let min = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) min = Math.min(min, Math.hypot(points[i]!.x - points[j]!.x, points[i]!.y - points[j]!.y));
  }
  return min;
}

test("with the constant liar, five parallel asks spread out instead of piling up", () => {
  let withLiar = 0;
  let without = 0;
  const seeds = 12;
  for (let s = 0; s < seeds; s++) {
    const trials = history(s);
    withLiar += minPairDistance(parallelAsks(new TPESampler({ constant_liar: true }), trials, s));
    without += minPairDistance(parallelAsks(new TPESampler({ constant_liar: false }), trials, s));
  }
  assert.ok(withLiar > 1.5 * without, `mean closest pair: liar ${withLiar / seeds}, no liar ${without / seeds}`);
});

test("without the liar, running trials do not change the suggestion", () => {
  const trials = history(0);
  const running: TrialView = { number: 30, status: "running", params: { x: 0.7, y: 0.3 }, meta: {}, value: null, intermediate: [] };
  const sampler = new TPESampler({ constant_liar: false });
  assert.deepEqual(suggest(sampler, space2d, [...trials, running], 31), suggest(sampler, space2d, trials, 31));
});

const view = (number: number, status: TrialView["status"], value: number | null, intermediate: { step: number; value: number }[] = []): TrialView => ({
  number,
  status,
  params: {},
  meta: {},
  value,
  intermediate,
});

test("ranking: trials compared at the reference step; failed left out; pending per the liar", () => {
  // Six ranked trials, fewer than REFERENCE_MIN_TRIALS: the reference step is the one all of them reached,
  // step 1, where they rank by their first value (a completed trial that reported nothing: its final value).
  const trials = [
    view(0, "completed", 5, [{ step: 1, value: 6 }, { step: 3, value: 5 }]),
    view(1, "pruned", 0.1, [{ step: 1, value: 0.1 }]),
    view(2, "pruned", 9, [{ step: 1, value: 0.5 }, { step: 3, value: 9 }]),
    view(3, "completed", 2),
    view(4, "failed", null),
    view(5, "running", null),
    view(6, "pruned", 7, [{ step: 1, value: 7 }, { step: 3, value: 7 }]),
    view(7, "queued", null),
  ];
  const all = trials.map((_, i) => i).filter((i) => trials[i]!.status !== "failed");
  const everyone = (n: number) => n; // all ranked trials count as good, to see the full order
  assert.deepEqual(splitGoodBad(trials, all, "minimize", "worst", everyone), { good: [1, 2, 3, 0, 6], bad: [5, 7] });
  assert.deepEqual(splitGoodBad(trials, all, "maximize", false, everyone), { good: [6, 0, 3, 2, 1], bad: [] });
  // A lie of 3 ranks the pending trials between the others.
  assert.deepEqual(splitGoodBad(trials, all, "minimize", 3, everyone).good, [1, 2, 3, 5, 7, 0, 6]);
  // "best" and "mean" come from the completed trials' final values (2 and 5): best 2, mean 3.5.
  assert.deepEqual(splitGoodBad(trials, all, "minimize", "best", (n) => Math.ceil(n / 3)), { good: [1, 2, 3], bad: [5, 7, 0, 6] });
  assert.deepEqual(splitGoodBad(trials, all, "minimize", "mean", everyone).good, [1, 2, 3, 5, 7, 0, 6]);
});

test("pruned trials inform the model: a history of only pruned trials steers it", () => {
  const trials: TrialView[] = Array.from({ length: 20 }, (_, i) => {
    const x = (i * 0.6180339887) % 1;
    return { number: i, status: "pruned", params: { x, y: 0.5 }, meta: {}, value: null, intermediate: [{ step: 2, value: Math.abs(x - 0.2) }] };
  });
  const sampler = new TPESampler();
  const xs = Array.from({ length: 20 }, (_, k) => suggest(sampler, space2d, trials, 20 + k).x as number);
  const near = xs.filter((x) => Math.abs(x - 0.2) < 0.15).length;
  assert.ok(near >= 12, `${near} of 20 suggestions near the best pruned point`);
});
