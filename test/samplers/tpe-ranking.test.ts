import assert from "node:assert/strict";
import { test } from "node:test";
import { IncrementalRanking, splitGoodBad } from "../../src/samplers/tpe/index.js";
import type { ConstantLiar } from "../../src/samplers/tpe/options.js";
import type { TrialView } from "../../src/samplers/types.js";
import type { TrialStatus } from "../../src/storage/types.js";
import { createRng } from "../../src/space/rng.js";

const gamma = (n: number): number => Math.min(Math.ceil(0.2 * n), 25);
const STATUSES: TrialStatus[] = ["completed", "completed", "completed", "pruned", "running", "queued", "failed"];

/** A random trial; values drawn from a few levels so ties (broken by history position) are common. */
function randomTrial(number: number, rng: () => number): TrialView {
  const status = STATUSES[Math.floor(rng() * STATUSES.length)]!;
  const value = status === "completed" || status === "pruned" ? Math.floor(rng() * 6) : null;
  const steps = status === "pruned" ? Math.floor(rng() * 3) : 0;
  const intermediate = Array.from({ length: steps }, (_, s) => ({ step: s + 1, value: Math.floor(rng() * 6) }));
  return { number, status, params: {}, meta: {}, value, intermediate };
}

for (const goal of ["minimize", "maximize"] as const) {
  for (const liar of [false, "worst", "best", "mean", 2.5] as ConstantLiar[]) {
    test(`the kept ranking equals a full re-rank through appends, changes and removals (${goal}, liar ${String(liar)})`, () => {
      const rng = createRng(`ranking:${goal}:${String(liar)}`);
      const ranking = new IncrementalRanking();
      let trials: TrialView[] = [];
      for (let ask = 0; ask < 150; ask++) {
        trials = trials.slice();
        // A new trial or two, and sometimes an earlier one changes (finishes, is pruned, is requeued).
        for (let k = 0; k < 1 + Math.floor(rng() * 2); k++) trials.push(randomTrial(trials.length, rng));
        if (rng() < 0.3 && trials.length > 1) {
          const i = Math.floor(rng() * trials.length);
          trials[i] = randomTrial(i, rng);
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
