/** The GP sampler through the sweep file and the study API: config, storage round trip, search quality, errors. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { ConfigError, parseSweepConfig } from "../../src/config/index.js";
import { ExitCode } from "../../src/exit-codes.js";
import { GpSampler, createSweep, loadSweep, openStorage, optimize } from "../../src/index.js";
import { cliMain, repoRoot } from "../helpers/paths.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-gp-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A 2-D function with one minimum (0 at (0.3, -0.6)) and a tilted valley. */
const bowl = (p: Record<string, unknown>) => {
  const a = p.a as number;
  const b = p.b as number;
  return (a - 0.3) ** 2 + 3 * (b + 0.6 - 0.5 * (a - 0.3)) ** 2;
};

async function bestAfter(method: "bayes" | "random", seed: number, trials: number): Promise<{ best: number; params: unknown[] }> {
  const sweep = await createSweep({
    config: {
      method,
      metric: { name: "loss", goal: "minimize" },
      parameters: { a: { distribution: "uniform", min: -2, max: 2 }, b: { distribution: "uniform", min: -2, max: 2 } },
      sweep: { seed, sampler: { type: "gp", n_startup_trials: 6 } },
    },
    storage: ":memory:",
  });
  const params: unknown[] = [];
  let best = Infinity;
  await optimize(sweep, (t) => {
    params.push(t.params);
    const v = bowl(t.params);
    best = Math.min(best, v);
    return v;
  }, { trials });
  await sweep.storage.close();
  return { best, params };
}

test("`sweep.sampler: {type: gp}` through the study API beats random search on average over seeds", async () => {
  let gp = 0;
  let random = 0;
  const seeds = [11, 12, 13];
  for (const seed of seeds) {
    gp += (await bestAfter("bayes", seed, 20)).best / seeds.length;
    random += (await bestAfter("random", seed, 20)).best / seeds.length;
  }
  assert.ok(gp < random, `mean best after 20 trials: gp ${gp}, random ${random}`);
  assert.ok(gp < 0.01, `gp mean best ${gp}`);
});

test("the same sweep seed gives the same trials; another seed other trials", async () => {
  const a = await bestAfter("bayes", 5, 12);
  const b = await bestAfter("bayes", 5, 12);
  assert.deepEqual(b.params, a.params);
  assert.notDeepEqual((await bestAfter("bayes", 6, 12)).params, a.params);
});

test("a GpSampler given to createSweep is stored as `method: bayes` + `sampler: {type: gp}` and rebuilt on load", async () => {
  const storage = await openStorage(join(dir, "sweeps.db"));
  try {
    const created = await createSweep({
      storage,
      config: { name: "gp-stored", method: "random", metric: { name: "loss", goal: "minimize" }, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } },
      sampler: new GpSampler({ nStartupTrials: 3, nCandidates: 64 }),
    });
    const loaded = await loadSweep("gp-stored", { storage });
    assert.equal(loaded.config.method, "bayes");
    assert.equal(loaded.config.sweep.sampler?.type, "gp");
    assert.ok(loaded.sampler instanceof GpSampler);
    assert.equal((loaded.sampler as GpSampler).options.nStartupTrials, 3);
    assert.equal((loaded.sampler as GpSampler).options.nCandidates, 64);
    await optimize(created, (t) => ((t.params.x as number) - 0.4) ** 2, { trials: 6 });
    const trials = await storage.listTrials(created.id);
    // Model-based trials (after the 3 random ones) carry the fitted hyperparameters in their meta.
    assert.ok(trials.slice(3).every((t) => t.meta["gp_kernel"] !== undefined));
  } finally {
    await storage.close();
  }
});

function diagnosticsOf(text: string) {
  try {
    parseSweepConfig(text, { file: "gp.yaml" });
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.diagnostics;
  }
  assert.fail("expected a ConfigError");
}

const header = ["method: bayes", "metric: {name: loss, goal: minimize}", "parameters:", "  lr: {min: 0.0, max: 1.0}", "sweep:", "  sampler:"];

test("bad GP options and an unknown sampler type are positioned validation errors", () => {
  const bad = diagnosticsOf([...header, "    type: gp", "    n_startup_trials: 0"].join("\n"));
  const d = bad.find((x) => x.path === "sweep.sampler");
  assert.equal(d?.line, 7);
  assert.match(d?.message ?? "", /n_startup_trials must be an integer >= 1, got 0/);
  const unknownType = diagnosticsOf([...header, "    type: gaussian"].join("\n"));
  assert.match(unknownType.find((x) => x.path === "sweep.sampler")?.message ?? "", /"tpe", "gp"/);
  const ok = parseSweepConfig([...header, "    type: gp", "    n_startup_trials: 5"].join("\n"));
  assert.equal(ok.config.sweep.sampler?.type, "gp");
});

test("`sweep validate` of a file with a bad GP option exits with the invalid-config code and names file, line and key", () => {
  const file = join(dir, "bad-gp.yaml");
  writeFileSync(file, [...header, "    type: gp", "    n_candidate: 100", ""].join("\n"));
  const r = spawnSync(process.execPath, [cliMain, "validate", file], { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  assert.equal(r.status, ExitCode.invalidConfig);
  assert.match(r.stderr, /bad-gp\.yaml:7:\d+ .*sweep\.sampler/);
  assert.match(r.stderr, /unknown GP option "n_candidate"/);
});

test("define-by-run parameters are drawn by the GP (jointly where every trial has them, alone where conditional) and stay valid", async () => {
  const sweep = await createSweep({
    config: { method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: { model: { values: ["small", "large"] } }, sweep: { seed: 5, sampler: { type: "gp", n_startup_trials: 3 } } },
  });
  await optimize(sweep, async (t) => {
    const lr = await t.suggestFloat("lr", 1e-5, 1e-1, { log: true });
    const width = t.params.model === "large" ? await t.suggestInt("width", 64, 512, { step: 64 }) : 0;
    return Math.abs(Math.log10(lr) + 3) + width / 1000;
  }, { trials: 10 });
  for (const r of await sweep.trialRecords()) {
    assert.ok((r.params.lr as number) >= 1e-5 && (r.params.lr as number) <= 1e-1);
    if (r.params.model === "large") assert.equal((r.params.width as number) % 64, 0);
  }
  await sweep.storage.close();
});
