/** The benchmarks' job pool: results in input order, and a worker added mid-run really adds concurrency. */
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { mapLimit, workQueue } from "../../bench/pool.js";

describe("bench job pool", () => {
  it("mapLimit keeps input order and never exceeds its limit", async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      most = Math.max(most, ++inFlight);
      await sleep(ms);
      inFlight--;
      return i * 10;
    });
    assert.deepEqual(results, [0, 10, 20, 30, 40]);
    assert.equal(most, 2);
  });

  it("a worker added while the queue runs takes jobs too, and done() waits for it", async () => {
    let inFlight = 0;
    let most = 0;
    const queue = workQueue([1, 2, 3, 4, 5, 6], async (x) => {
      most = Math.max(most, ++inFlight);
      await sleep(15);
      inFlight--;
      return x * x;
    });
    queue.addWorker();
    await sleep(5);
    queue.addWorker();
    assert.deepEqual(await queue.done(), [1, 4, 9, 16, 25, 36]);
    assert.equal(most, 2);
  });

  it("an empty queue is done at once", async () => {
    const queue = workQueue([], async () => 1);
    assert.deepEqual(await queue.done(), []);
  });
});
