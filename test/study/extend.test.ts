/**
 * The run_cap rule of an extension (study/extend.ts) and extendSweep over a real storage: the new cap, the
 * numbers in the refusals, a finished sweep reopened as paused, and the ask loop running exactly to the new cap.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createSweep, loadSweep } from "../../src/study/index.js";
import { extendSweep, SWEEP_EXTENDED_EVENT, SweepExtendError } from "../../src/study/extend.js";

const config = (extra: Record<string, unknown> = {}) => ({
  method: "random",
  metric: { name: "score", goal: "maximize" as const },
  parameters: { x: { min: 0, max: 1 } },
  sweep: { seed: 3 },
  ...extra,
});

/** Ask and complete trials until the sweep stops; returns how many ran. */
async function runAll(sweep: Awaited<ReturnType<typeof createSweep>>): Promise<number> {
  let n = 0;
  for (let trial = await sweep.ask(); trial; trial = await sweep.ask()) {
    await sweep.tell(trial, 1);
    n++;
  }
  return n;
}

describe("extendSweep", () => {
  test("--run-cap N: a finished sweep reopens as paused with the new cap, and runs exactly up to it", async () => {
    const sweep = await createSweep({ config: config({ run_cap: 3 }) });
    assert.equal(await runAll(sweep), 3);
    await sweep.storage.setSweepStatus(sweep.id, "finished");
    const result = await extendSweep(sweep.storage, sweep.id, { runCap: 5 }, "tester");
    assert.deepEqual([result.previousRunCap, result.runCap, result.trialCount, result.previousStatus, result.record.status], [3, 5, 3, "finished", "paused"]);
    const events = await sweep.storage.listEvents(sweep.id);
    assert.deepEqual(events.at(-1)!.kind, SWEEP_EXTENDED_EVENT);
    assert.deepEqual(events.at(-1)!.data, { from: 3, to: 5, trials: 3, by: "tester" });
    const again = await loadSweep(sweep.id, { storage: sweep.storage });
    assert.equal(again.config.run_cap, 5);
    assert.equal(await runAll(again), 2);
  });

  test("--add N adds to the cap, or to the trials made when there is none", async () => {
    const capped = await createSweep({ config: config({ run_cap: 2 }) });
    await runAll(capped);
    assert.equal((await extendSweep(capped.storage, capped.id, { add: 4 }, "t")).runCap, 6);
    const open = await createSweep({ config: config() });
    for (let i = 0; i < 3; i++) await open.tell((await open.ask())!, 1);
    assert.equal((await extendSweep(open.storage, open.id, { add: 2 }, "t")).runCap, 5);
  });

  test("refusals name the numbers and change nothing", async () => {
    const sweep = await createSweep({ config: config({ run_cap: 3 }) });
    await runAll(sweep);
    const before = await sweep.storage.getSweep(sweep.id);
    await assert.rejects(extendSweep(sweep.storage, sweep.id, { runCap: 3 }, "t"), (e: Error) => e instanceof SweepExtendError && /--run-cap 3 is not more than the 3 trial\(s\).*at least 4/.test(e.message));
    await assert.rejects(extendSweep(sweep.storage, sweep.id, { runCap: 1 }, "t"), SweepExtendError);
    assert.deepEqual(await sweep.storage.getSweep(sweep.id), before);
    assert.equal((await sweep.storage.listEvents(sweep.id)).some((e) => e.kind === SWEEP_EXTENDED_EVENT), false);

    const grid = await createSweep({ config: { ...config(), method: "grid", parameters: { x: { values: [1, 2] } } } });
    assert.equal(await runAll(grid), 2);
    await assert.rejects(extendSweep(grid.storage, grid.id, { add: 1 }, "t"), /is a grid of 2 point\(s\) and has 2 trial\(s\)/);
    await assert.rejects(extendSweep(grid.storage, "nosuch", { add: 1 }, "t"), { name: "SweepNotFoundError" });
  });
});
