/**
 * The quick form of the chaos run (`npm run test:chaos` is the long one): kill -9 of the controller at random
 * moments and inside the launch window, resume after each, and the runner's promises still hold.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runChaos } from "./chaos.js";

test("chaos: 6 kill -9s of the controller (half in the launch window), then resume to the end", async () => {
  const f = await runChaos({ kills: 6, runCap: 12, seed: Number(process.env.SWEEP_CHAOS_SEED ?? 7) });
  const summary = JSON.stringify(f);
  assert.equal(f.completed, f.runCap, summary);
  assert.deepEqual(f.otherStatuses, {}, summary);
  assert.equal(f.trainedTwice, 0, summary);
  assert.equal(f.overlappingAttempts, 0, summary);
  assert.ok(f.maxTrialsPerGpu <= 1, summary);
  assert.equal(f.leftoverProcesses, 0, summary);
  assert.equal(f.integrity, "ok", summary);
  assert.ok(f.samples > 0, summary);
});
