import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { agent, createSweep, loadSweep, optimize, TrialPruned } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import type { Pruner } from "../../src/pruners/types.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), "sweep-study-"));
  dirs.push(dir);
  return join(dir, "sweeps.db");
}

const randomConfig = {
  method: "random",
  metric: { name: "score", goal: "maximize" },
  parameters: {
    lr: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 },
    batch_size: { values: [8, 16, 32, 64] },
    optimizer: { parameters: { name: { value: "adamw" }, beta1: { min: 0.8, max: 0.99 } } },
  },
  sweep: { seed: 7 },
};

describe("Sweep ask/tell", () => {
  test("ask hands out trials in number order with params inside the space and nested config", async () => {
    const sweep = await createSweep({ config: randomConfig });
    const a = await sweep.ask();
    const b = await sweep.ask();
    assert.ok(a && b);
    assert.equal(a.number, 0);
    assert.equal(b.number, 1);
    assert.ok((a.params.lr as number) >= 1e-6 && (a.params.lr as number) <= 1e-4);
    assert.ok([8, 16, 32, 64].includes(a.params.batch_size as number));
    assert.equal(a.params["optimizer.name"], "adamw");
    assert.deepEqual(Object.keys(a.config).sort(), ["batch_size", "lr", "optimizer"]);
    assert.equal((a.config.optimizer as Record<string, unknown>).name, "adamw");
  });

  test("tell with a number completes the trial and bestTrial follows the goal", async () => {
    const sweep = await createSweep({ config: randomConfig });
    for (const value of [0.5, 0.9, 0.7]) {
      const t = (await sweep.ask())!;
      await sweep.tell(t, value);
    }
    const best = await sweep.bestTrial();
    assert.equal(best?.value, 0.9);
    assert.equal(best?.number, 1);
    const minimize = await createSweep({ config: { ...randomConfig, metric: { name: "loss", goal: "minimize" } } });
    for (const value of [0.5, 0.2, 0.7]) await minimize.tell((await minimize.ask())!, value);
    assert.equal((await minimize.bestTrial())?.value, 0.2);
  });

  test("completed without a value takes the metric's last report, or its best with objective: best", async () => {
    const last = await createSweep({ config: randomConfig });
    const t = (await last.ask())!;
    await last.report(t, 1, { score: 0.3, loss: 2 });
    await last.report(t, 2, { score: 0.8 });
    await last.report(t, 3, { score: 0.6 });
    assert.equal((await last.tell(t, { state: "completed" }))?.value, 0.6);

    const best = await createSweep({ config: { ...randomConfig, sweep: { seed: 1, objective: "best" } } });
    const u = (await best.ask())!;
    for (const [step, score] of [[1, 0.3], [2, 0.8], [3, 0.6]] as const) await best.report(u, step, { score });
    assert.equal((await best.tell(u, { state: "completed" }))?.value, 0.8);
  });

  test("a trial can be told only once", async () => {
    const sweep = await createSweep({ config: randomConfig });
    const t = (await sweep.ask())!;
    assert.ok(await sweep.tell(t, 1));
    await assert.rejects(sweep.tell(t, 2), { name: "TrialStateError", message: /already finished \(completed\); nothing is accepted after tell/ });
    assert.equal((await sweep.storage.getTrial(t.id))?.value, 1);
  });

  test("run_cap stops asking at exactly that many trials", async () => {
    const sweep = await createSweep({ config: { ...randomConfig, run_cap: 3 } });
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await sweep.ask());
    assert.equal(got.filter(Boolean).length, 3);
    const next = await sweep.next();
    assert.ok("stop" in next && /run_cap/.test(next.stop));
  });

  test("grid search enumerates every point once, then reports exhaustion", async () => {
    const sweep = await createSweep({
      config: { method: "grid", parameters: { a: { values: [1, 2, 3] }, b: { values: ["x", "y"] } } },
    });
    const seen = new Set<string>();
    for (;;) {
      const next = await sweep.next();
      if ("stop" in next) {
        assert.match(next.stop, /exhausted/);
        break;
      }
      seen.add(JSON.stringify(next.trial.params));
      await sweep.tell(next.trial, 0);
    }
    assert.equal(seen.size, 6);
  });

  test("the same seed gives the same suggestions, another seed different ones", async () => {
    const params = async (seed: number) => {
      const sweep = await createSweep({ config: { ...randomConfig, sweep: { seed } } });
      const out = [];
      for (let i = 0; i < 5; i++) out.push((await sweep.ask())!.params);
      return out;
    };
    assert.deepEqual(await params(11), await params(11));
    assert.notDeepEqual(await params(11), await params(12));
  });

  test("a sweep without a seed gets one stored, so a reload continues the same sequence", async () => {
    const location = tempDb();
    const storage = await openStorage(location);
    const { seed: _omit, ...settings } = randomConfig.sweep;
    const sweep = await createSweep({ config: { ...randomConfig, sweep: settings }, storage });
    assert.equal(typeof sweep.seed, "number");
    const reloaded = await loadSweep(sweep.id, { storage });
    assert.equal(reloaded.seed, sweep.seed);
    await storage.close();
  });
});

describe("optimize and agent", () => {
  test("optimize runs the requested number of trials with concurrency and records failures", async () => {
    const sweep = await createSweep({ config: randomConfig });
    let running = 0;
    let maxRunning = 0;
    const summary = await optimize(
      sweep,
      async (trial) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        if (trial.number === 3) throw new Error("boom");
        return -Math.abs(Math.log10(trial.params.lr as number) + 5);
      },
      { trials: 10, concurrency: 3 },
    );
    assert.equal(summary.trials.length, 10);
    assert.equal(summary.stopReason, "trials");
    assert.equal(maxRunning, 3);
    const trials = await sweep.trialRecords();
    assert.equal(trials.filter((t) => t.status === "completed").length, 9);
    const failed = trials.find((t) => t.status === "failed");
    assert.equal(failed?.number, 3);
    assert.match(failed?.error ?? "", /boom/);
  });

  test("a non-finite objective value fails the trial instead of poisoning the best", async () => {
    const sweep = await createSweep({ config: randomConfig });
    await optimize(sweep, () => NaN, { trials: 1 });
    const [t] = await sweep.trialRecords();
    assert.equal(t?.status, "failed");
    assert.match(t?.error ?? "", /NaN/);
    assert.equal(await sweep.bestTrial(), null);
  });

  test("throwing TrialPruned ends a trial as pruned with the pruner's reason and step", async () => {
    const pruneAfterTwo: Pruner = {
      name: "test",
      decide: ({ trial }) =>
        trial.intermediate.length >= 2 ? { prune: true, step: trial.intermediate.at(-1)!.step, reason: "test rule" } : { prune: false },
    };
    const sweep = await createSweep({ config: randomConfig, pruner: pruneAfterTwo });
    await optimize(
      sweep,
      async (trial) => {
        for (let step = 1; step <= 5; step++) {
          await trial.report(step, { score: step / 10 });
          if (await trial.shouldPrune()) throw new TrialPruned();
        }
        return 1;
      },
      { trials: 1 },
    );
    const [t] = await sweep.trialRecords();
    assert.equal(t?.status, "pruned");
    assert.equal(t?.pruneStep, 2);
    assert.equal(t?.pruneReason, "test rule");
    assert.equal(t?.value, 0.2, "a pruned trial keeps its last reported objective as partial information");
  });

  test("two agents on one SQLite file split a run_cap sweep without overlap", async () => {
    const location = tempDb();
    const storage = await openStorage(location);
    const sweep = await createSweep({ config: { ...randomConfig, run_cap: 12 }, storage });
    const seenBy = new Map<number, string>();
    const fn = (name: string) => async (trial: { number: number }) => {
      assert.equal(seenBy.has(trial.number), false, `trial ${trial.number} ran twice`);
      seenBy.set(trial.number, name);
      await new Promise((r) => setTimeout(r, 2));
      return trial.number;
    };
    const storageB = await openStorage(location);
    const [a, b] = await Promise.all([
      agent(sweep.id, fn("a"), { storage, worker: "a" }),
      agent(sweep.id, fn("b"), { storage: storageB, worker: "b" }),
    ]);
    assert.equal(a.trials.length + b.trials.length, 12);
    assert.ok(a.trials.length > 0 && b.trials.length > 0, "both agents got work");
    assert.deepEqual([...seenBy.keys()].sort((x, y) => x - y), [...Array(12).keys()]);
    await storage.close();
    await storageB.close();
  });

  test("agent count limits the trials one agent runs", async () => {
    const sweep = await createSweep({ config: randomConfig });
    const summary = await agent(sweep, () => 1, { count: 4 });
    assert.equal(summary.trials.length, 4);
    assert.equal((await sweep.trialRecords()).length, 4);
  });
});
