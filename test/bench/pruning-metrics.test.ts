/**
 * The pruning benchmark's arithmetic: what counts as reaching the best, how censored runs ("never") enter the
 * quartiles, and the bootstrap interval of the speed-up that the verdict quotes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bootstrapSpeedUp, meetsTarget, runMetrics, summarise, verdictLines } from "../../bench/pruning/metrics.js";
import { summarize as quartiles } from "../../bench/stats.js";

describe("pruning benchmark metrics", () => {
  it("counts epochs up to the end of the first completed near-best trial; pruned good params do not count", () => {
    const m = runMetrics(
      [
        { epochs: 3, completed: false, trueFinal: 0.1 }, // pruned: never known to be good
        { epochs: 20, completed: true, trueFinal: 0.2 },
        { epochs: 20, completed: true, trueFinal: 0.104 },
        { epochs: 5, completed: false, trueFinal: 0.3 },
      ],
      0.1,
      0.005,
      30,
    );
    assert.equal(m.epochsToNear, 43);
    assert.equal(m.totalEpochs, 48);
    assert.equal(m.completed, 2);
    assert.equal(m.bestFound, 0.104);
    assert.equal(m.bestAtCheckpoint, 0.2, "only the trial finished by epoch 30 counts at the checkpoint");
  });

  it("keeps censored runs as Infinity in the quartiles", () => {
    assert.deepEqual(quartiles([10, 20, 30, Infinity, Infinity]), { q1: 20, median: 30, q3: Infinity });
    assert.deepEqual(quartiles([1, 2, 3, 4]), { q1: 1.75, median: 2.5, q3: 3.25 });
  });

  it("gives a degenerate interval when every seed has the same ratio, and a repeatable one otherwise", () => {
    const baseline = [300, 600, 900, 1200, 1500];
    assert.deepEqual(bootstrapSpeedUp(baseline, baseline.map((x) => x / 3)), [3, 3]);
    const noisy = [100, 400, 200, 800, 250];
    const first = bootstrapSpeedUp(baseline, noisy);
    assert.deepEqual(bootstrapSpeedUp(baseline, noisy), first, "fixed RNG seed: same interval on a rerun");
    assert.ok(first[0] < first[1], `interval ${first.join("..")} should have some width`);
    const point = quartiles(baseline).median / quartiles(noisy).median;
    assert.ok(first[0] <= point && point <= first[1], `${point} outside ${first.join("..")}`);
  });

  it("says a cell meets the target only when both the median speed-up and the seeds reaching near-best do", () => {
    const run = (epochsToNear: number | null) => ({ totalEpochs: 0, trials: 0, completed: 0, bestFound: 0.1, bestAtCheckpoint: 0.1, epochsToNear });
    const baseline = [600, 660, 700, 640, 620].map(run);
    const fast = summarise("fast", [200, 210, 230, 190, 205].map(run), baseline);
    const fastButUnreliable = summarise("flaky", [200, 210, null, 190, 205].map(run), baseline);
    const slow = summarise("slow", [400, 420, 380, 410, 390].map(run), baseline);
    const none = summarise("none", baseline, baseline);
    const target = { rows: ["fast", "flaky", "slow"], speedUp: 3, reachedShare: 0.9, unpruned: "none" };
    assert.equal(meetsTarget(fast, target), true);
    assert.equal(meetsTarget(fastButUnreliable, target), false, "4 of 5 seeds is under 90%");
    assert.equal(meetsTarget(slow, target), false);
    const lines = verdictLines([{ family: "f", summaries: [none, fast, fastButUnreliable, slow] }], target);
    assert.match(lines[0]!, /Met in 1 of 3 cells; not met: f \/ flaky; f \/ slow\./);
    assert.match(lines.join("\n"), /\| f \| 3\.1x \[3\.\d, 3\.\d\], 5\/5 \*\*met\*\* \|/);
    assert.match(lines.join("\n"), /- f: without pruning 640, 5\/5; .*slow: 400, 5\/5/);
  });

  it("marks a row against the sampler without pruning as worse, and as worse beyond chance only when its whole interval is below 1", () => {
    const run = (epochsToNear: number | null) => ({ totalEpochs: 0, trials: 0, completed: 0, bestFound: 0.1, bestAtCheckpoint: 0.1, epochsToNear });
    const unprunedRuns = [300, 320, 340, 360, 380].map(run);
    const unpruned = summarise("unpruned", unprunedRuns, unprunedRuns);
    // Slower on every seed; slower by the median alone (two seeds much faster); faster.
    const slowRuns = [600, 640, 680, 720, 760].map(run);
    const mixedRuns = [100, 120, 350, 400, 420].map(run);
    const fastRuns = [150, 160, 170, 180, 190].map(run);
    const rows = [summarise("slow", slowRuns, unprunedRuns), summarise("mixed", mixedRuns, unprunedRuns), summarise("fast", fastRuns, unprunedRuns)];
    const target = { rows: ["slow", "mixed", "fast"], speedUp: 3, reachedShare: 0.9, unpruned: "unpruned" };
    const lines = verdictLines([{ family: "f", summaries: [unpruned, ...rows], againstUnpruned: rows }], target).join("\n");
    assert.match(lines, /slow: 680, 5\/5, 0\.5x \[0\.5, 0\.5\] \(worse beyond chance\)/);
    assert.match(lines, /mixed: 350, 5\/5, 1\.0x \[0\.\d, \d\.\d\] \(worse\);/);
    assert.match(lines, /fast: 170, 5\/5, 2\.0x \[2\.0, 2\.0\]$/m);
  });
});
