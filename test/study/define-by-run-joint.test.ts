/**
 * Joint define-by-run proposals: with a sampler that models parameters together (the GP, multivariate TPE),
 * define-by-run parameters that every completed trial has are proposed as one point, so a define-by-run
 * sweep is searched exactly as the same sweep with those parameters declared.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { createSweep, optimize } from "../../src/index.js";
import { floatDistribution } from "../../src/study/define-by-run.js";
import { curvesByTrial, TrialViewCache } from "../../src/study/views.js";

const f = (x1: number, x2: number) => (x2 - 0.13 * x1 * x1 + 1.6 * x1 - 6) ** 2 + 10 * 0.96 * Math.cos(x1) + 10;
const metric = { name: "loss", goal: "minimize" } as const;
const TRIALS = 14;

/** Runs f define-by-run, then declared (trial 0 enqueued at the define-by-run one's point); both sweeps' records. */
async function bothWays(sampler: Readonly<Record<string, unknown>>) {
  const byRun = await createSweep({ config: { method: "bayes", metric, sweep: { seed: 11, sampler } } });
  await optimize(byRun, async (t) => f(await t.suggestFloat("x1", -5, 10), await t.suggestFloat("x2", 0, 15)), { trials: TRIALS });
  const byRunRecords = await byRun.trialRecords();
  // Trial 0 has no history to share: its values come from the one-parameter path. The declared sweep
  // starts from the same point (enqueued), so every later proposal sees the same history.
  const declared = await createSweep({
    config: {
      method: "bayes",
      metric,
      parameters: { x1: { distribution: "uniform", min: -5, max: 10 }, x2: { distribution: "uniform", min: 0, max: 15 } },
      sweep: { seed: 11, sampler },
    },
  });
  await declared.enqueue({ x1: byRunRecords[0]!.params.x1, x2: byRunRecords[0]!.params.x2 });
  await optimize(declared, async (t) => f(t.params.x1 as number, t.params.x2 as number), { trials: TRIALS });
  const declaredRecords = await declared.trialRecords();
  await byRun.storage.close();
  await declared.storage.close();
  return { byRunRecords, declaredRecords };
}

for (const sampler of [{ type: "gp", n_startup_trials: 4 }, { type: "tpe", n_startup_trials: 4 }]) {
  test(`${sampler.type}: define-by-run parameters every trial has are proposed together, the same points as the same sweep with them declared`, async () => {
    const { byRunRecords, declaredRecords } = await bothWays(sampler);
    assert.equal(byRunRecords.length, TRIALS);
    for (let i = 0; i < TRIALS; i++) {
      assert.deepEqual(byRunRecords[i]!.params, declaredRecords[i]!.params, `trial ${i}`);
      if (i === 0) continue;
      const proposal = byRunRecords[i]!.meta.joint_proposal as { params: Record<string, number> };
      assert.deepEqual(proposal.params, byRunRecords[i]!.params, `trial ${i}: both values from one joint proposal`);
    }
    if (sampler.type === "gp") {
      // From the fifth completed trial on the GP proposes; its fit is kept for the next trial's warm start.
      for (let i = 4; i < TRIALS; i++) assert.ok(byRunRecords[i]!.meta.gp_kernel !== undefined, `trial ${i} has the GP's fit`);
    }
  });
}

test("univariate TPE draws define-by-run parameters one at a time (no joint proposal)", async () => {
  const sweep = await createSweep({ config: { method: "bayes", metric, sweep: { seed: 3, sampler: { type: "tpe", multivariate: false, n_startup_trials: 2 } } } });
  await optimize(sweep, async (t) => f(await t.suggestFloat("x1", -5, 10), await t.suggestFloat("x2", 0, 15)), { trials: 6 });
  for (const r of await sweep.trialRecords()) assert.equal(r.meta.joint_proposal, undefined, `trial ${r.number}`);
  await sweep.storage.close();
});

test("a conditional parameter, in some trials only, is left out of the joint proposal and drawn alone", async () => {
  const sweep = await createSweep({ config: { method: "bayes", metric, sweep: { seed: 4, sampler: { type: "gp", n_startup_trials: 3 } } } });
  await optimize(sweep, async (t) => {
    const x1 = await t.suggestFloat("x1", -5, 10);
    const x2 = x1 > 2.5 ? await t.suggestFloat("x2", 0, 15) : 7.5;
    return f(x1, x2);
  }, { trials: 12 });
  const records = await sweep.trialRecords();
  assert.ok(records.some((r) => "x2" in r.params) && records.some((r) => !("x2" in r.params)), "both branches ran");
  assert.ok(!("x2" in records[0]!.params), "trial 0 took the branch without x2, so no later trial shares x2 with every completed one");
  for (const r of records.slice(1)) {
    const proposal = r.meta.joint_proposal as { distributions: Record<string, unknown>; params: Record<string, number> };
    assert.deepEqual(Object.keys(proposal.distributions), ["x1"], `trial ${r.number}: only x1 is shared by every completed trial`);
    assert.equal(proposal.params.x1, r.params.x1);
  }
  await sweep.storage.close();
});

test("a trial that has asked for some of its jointly proposed parameters is a pending point at the whole proposal", async () => {
  const sweep = await createSweep({ config: { method: "bayes", metric, sweep: { seed: 6, sampler: { type: "gp", n_startup_trials: 3 } } } });
  await optimize(sweep, async (t) => f(await t.suggestFloat("x1", -5, 10), await t.suggestFloat("x2", 0, 15)), { trials: 4 });
  // A trial asks for x1 and then stalls (a parallel worker mid-objective, or a process killed there).
  const stalled = (await sweep.ask())!;
  await sweep.suggest(stalled, { ...stalled.params }, "x1", floatDistribution("x1", -5, 10));
  const record = (await sweep.trialRecords()).find((r) => r.number === stalled.number)!;
  assert.deepEqual(Object.keys(record.params), ["x1"], "only x1 is the trial's own so far");
  const proposal = (record.meta.joint_proposal as { params: Record<string, number> }).params;
  // What the samplers see of it: running, at both proposed values.
  const { trials, intermediates } = await sweep.storage.readHistory(sweep.id, "loss");
  const views = new TrialViewCache().build(trials, curvesByTrial(intermediates, "loss"));
  const view = views.find((v) => v.number === stalled.number)!;
  assert.equal(view.status, "running");
  assert.deepEqual(view.params, proposal);
  // Ended trials are seen with their own parameters only.
  for (const v of views) if (v.status === "completed") assert.deepEqual(v.params, trials.find((t) => t.number === v.number)!.params);
  await sweep.storage.close();
});
