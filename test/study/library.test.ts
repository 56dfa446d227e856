/**
 * The library as an Optuna user meets it: load by name (or loadIfExists), samplers and pruners stored with
 * the sweep, trials as rows, callbacks, user attributes, best params/value, define-by-run. The last suite
 * ports three Optuna examples and checks their results.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import {
  MedianPruner,
  TPESampler,
  TrialPruned,
  createSweep,
  loadSweep,
  openStorage,
  optimize,
  WandbHyperbandPruner,
  type Sampler,
} from "../../src/index.js";
import { buildRoot } from "../helpers/paths.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "../storage/pg-server.js";

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sweep-library-"));
  dirs.push(dir);
  return dir;
}

const metric = { name: "loss", goal: "minimize" } as const;

describe("load by name, loadIfExists, algorithms stored with the sweep", () => {
  test("loadSweep finds a sweep by name or id; loadIfExists returns the existing one", async () => {
    const storage = await openStorage(join(tempDir(), "sweeps.db"));
    try {
      const config = { name: "lr-search", method: "random", metric, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } };
      const created = await createSweep({ storage, config });
      assert.equal((await loadSweep("lr-search", { storage })).id, created.id);
      assert.equal((await loadSweep(created.id, { storage })).id, created.id);
      const again = await createSweep({ storage, config, loadIfExists: true });
      assert.equal(again.id, created.id);
      assert.equal((await storage.listSweeps()).length, 1);
      await assert.rejects(loadSweep("no-such-name", { storage }), { name: "SweepNotFoundError" });
      await createSweep({ storage, config }); // a second sweep of that name: by name is now ambiguous
      await assert.rejects(loadSweep("lr-search", { storage }), /2 sweeps are named 'lr-search' .*; load one by id/);
      await assert.rejects(createSweep({ storage, config: { ...config, name: undefined }, loadIfExists: true }), /needs a `name`/);
    } finally {
      await storage.close();
    }
  });

  test("a sampler and pruner given to createSweep are stored with their options and rebuilt on load", async () => {
    const storage = await openStorage(join(tempDir(), "sweeps.db"));
    try {
      const created = await createSweep({
        storage,
        config: { name: "stored", method: "random", metric, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } },
        sampler: new TPESampler({ nStartupTrials: 3, nEiCandidates: 50, multivariate: false }),
        pruner: new MedianPruner({ warmupSteps: 2, minTrials: 4 }),
      });
      const loaded = await loadSweep("stored", { storage });
      assert.equal(loaded.config.method, "bayes");
      assert.ok(loaded.sampler instanceof TPESampler);
      assert.equal((loaded.sampler as TPESampler).options.nStartupTrials, 3);
      assert.equal((loaded.sampler as TPESampler).options.nEiCandidates, 50);
      assert.equal((loaded.sampler as TPESampler).options.multivariate, false);
      assert.ok(loaded.pruner instanceof MedianPruner);
      assert.deepEqual([(loaded.pruner as MedianPruner).warmupSteps, (loaded.pruner as MedianPruner).minTrials], [2, 4]);
      assert.equal(created.id, loaded.id);
      // Same history, same seed: both objects propose the same point.
      await optimize(created, (t) => (t.params.x as number) ** 2, { trials: 5 });
      const fromCreated = created.sampler.suggest({ space: created.space, goal: "minimize", trials: [], rng: () => 0.5, trialNumber: 9 });
      const fromLoaded = loaded.sampler.suggest({ space: loaded.space, goal: "minimize", trials: [], rng: () => 0.5, trialNumber: 9 });
      assert.deepEqual(fromLoaded, fromCreated);
    } finally {
      await storage.close();
    }
  });

  test("a sampler of the user's own class must be passed again on load", async () => {
    const storage = await openStorage(join(tempDir(), "sweeps.db"));
    try {
      const mine: Sampler = { name: "mine", suggest: () => ({ params: { x: 0.5 } }) };
      await createSweep({ storage, config: { name: "custom", method: "random", parameters: { x: { distribution: "uniform", min: 0, max: 1 } } }, sampler: mine });
      await assert.rejects(loadSweep("custom", { storage }), /created with a sampler of its own class \('mine'\).*pass it as `sampler`/);
      assert.equal((await loadSweep("custom", { storage, sampler: mine })).sampler, mine);
    } finally {
      await storage.close();
    }
  });
  test("W&B hyperband with keepSlowStarters: false is stored as sweep.pruner {type: wandb_hyperband} and rebuilt from it", async () => {
    const storage = await openStorage(join(tempDir(), "sweeps.db"));
    try {
      const exact = new WandbHyperbandPruner({ minIter: 3, keepSlowStarters: false });
      const config = { name: "exact", method: "random", metric: { name: "loss", goal: "minimize" }, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } };
      await createSweep({ storage, config, pruner: exact });
      const reloaded = (await loadSweep("exact", { storage })).pruner;
      assert.ok(reloaded instanceof WandbHyperbandPruner);
      assert.equal(reloaded.keepSlowStarters, false);
      assert.deepEqual(reloaded.bands, exact.bands);
      // The default (keeping slow starters) is stored as early_terminate and rebuilt from it.
      await createSweep({ storage, config: { ...config, name: "default" }, pruner: new WandbHyperbandPruner({ minIter: 3 }) });
      const loaded = await loadSweep("default", { storage });
      assert.ok(loaded.pruner instanceof WandbHyperbandPruner && loaded.pruner.keepSlowStarters && loaded.pruner.forecast);
      // Slow starters kept without forecasts: a block, rebuilt the same.
      await createSweep({ storage, config: { ...config, name: "no-forecast" }, pruner: new WandbHyperbandPruner({ minIter: 3, forecast: false }) });
      const noForecast = (await loadSweep("no-forecast", { storage })).pruner;
      assert.ok(noForecast instanceof WandbHyperbandPruner && noForecast.keepSlowStarters && !noForecast.forecast);
    } finally {
      await storage.close();
    }
  });
});

describe("rows, callbacks, user attributes, best", () => {
  test("trials() gives plain rows with flattened params, user attrs, durations and, on request, intermediate values", async () => {
    const sweep = await createSweep({
      config: {
        method: "random",
        metric,
        parameters: { optimizer: { parameters: { lr: { distribution: "uniform", min: 0, max: 1 } } } },
        sweep: { seed: 4 },
      },
    });
    await sweep.setUserAttr("dataset", "korsts");
    await optimize(sweep, async (t) => {
      await t.report(1, { loss: 2 });
      await t.report(2, { loss: 1 });
      await t.setUserAttr("note", `trial ${t.number}`);
      return (t.params["optimizer.lr"] as number) + 1;
    }, { trials: 3 });
    const rows = await sweep.trials({ intermediate: true });
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.equal(row.state, "completed");
      assert.equal(typeof row["params_optimizer.lr"], "number");
      assert.equal(row.value, (row["params_optimizer.lr"] as number) + 1);
      assert.equal(row.user_attrs_note, `trial ${row.number}`);
      assert.ok(typeof row.duration === "number" && row.duration >= 0);
      assert.deepEqual(row.intermediate_values, [{ step: 1, value: 2 }, { step: 2, value: 1 }]);
    }
    assert.equal((await sweep.trials())[0]!.intermediate_values, undefined);
    assert.deepEqual(await sweep.userAttrs(), { dataset: "korsts" });
    const best = rows.reduce((a, b) => (a.value! <= b.value! ? a : b));
    assert.equal(await sweep.bestValue(), best.value);
    assert.deepEqual(await sweep.bestParams(), { "optimizer.lr": best["params_optimizer.lr"] });
  });

  test("callbacks run after each trial, and one can stop the study", async () => {
    const sweep = await createSweep({ config: { method: "random", metric, parameters: { x: { distribution: "uniform", min: 0, max: 1 } } } });
    const seen: number[] = [];
    const summary = await optimize(sweep, (t) => t.params.x as number, {
      trials: 50,
      callbacks: [
        (_s, trial) => void seen.push(trial.number),
        (_s, trial, control) => {
          if (trial.number === 4) control.stop();
        },
      ],
    });
    assert.deepEqual(seen, [0, 1, 2, 3, 4]);
    assert.equal(summary.stopReason, "callback");
    assert.equal(summary.trials.length, 5);
  });
});

describe("define-by-run", () => {
  test("mixed: the declared part is fixed, suggested parameters are stored with their distributions", async () => {
    const sweep = await createSweep({
      config: { method: "bayes", metric, parameters: { model: { values: ["small", "large"] } }, sweep: { seed: 5, sampler: { n_startup_trials: 3 } } },
    });
    await optimize(sweep, async (t) => {
      const model = await t.suggestCategorical("model", ["ignored"]); // declared: the proposed value stays
      assert.equal(model, t.params.model);
      const lr = await t.suggestFloat("lr", 1e-5, 1e-1, { log: true });
      const width = model === "large" ? await t.suggestInt("width", 64, 512, { step: 64 }) : 0;
      assert.equal(await t.suggestFloat("lr", 1e-5, 1e-1, { log: true }), lr, "asked twice, same value");
      return Math.abs(Math.log10(lr) + 3) + width / 1000;
    }, { trials: 12 });
    const records = await sweep.trialRecords();
    for (const r of records) {
      assert.ok((r.params.lr as number) >= 1e-5 && (r.params.lr as number) <= 1e-1);
      assert.equal("width" in r.params, r.params.model === "large");
      if (r.params.model === "large") assert.equal((r.params.width as number) % 64, 0);
      assert.deepEqual((r.meta.distributions as Record<string, unknown>).lr, { kind: "log_uniform_values", min: 1e-5, max: 1e-1 });
    }
  });

  test("an enqueued value of a define-by-run parameter is used when the objective asks for it, and checked", async () => {
    const sweep = await createSweep({ config: { method: "random", metric, sweep: { seed: 2 } } });
    await optimize(sweep, async (t) => await t.suggestFloat("x", 0, 10), { trials: 1 });
    await sweep.enqueue({ x: 7.5 });
    await assert.rejects(sweep.enqueue({ x: 11 }), /parameter 'x': 11 is not a number in \[0, 10\]/);
    const summary = await optimize(sweep, async (t) => await t.suggestFloat("x", 0, 10), { trials: 1 });
    assert.equal(summary.trials[0]!.value, 7.5);
  });

  test("bad suggest arguments fail the trial with a clear error", async () => {
    const sweep = await createSweep({ config: { method: "random", metric } });
    const summary = await optimize(sweep, async (t) => await t.suggestFloat("lr", 0, 1, { log: true }), { trials: 1 });
    assert.equal(summary.trials[0]!.status, "failed");
    assert.match(summary.trials[0]!.error ?? "", /suggest 'lr': low must be > 0 with log: true, got 0/);
  });
});

describe("Optuna examples, ported", () => {
  // optuna/examples: the "simple" conditional space (classifier choice, each with its own parameter).
  test("a conditional space: each branch's parameters exist only in its trials, and TPE finds the better branch", async () => {
    const sweep = await createSweep({ config: { method: "bayes", metric: { name: "accuracy", goal: "maximize" }, sweep: { seed: 1 } } });
    await optimize(sweep, async (trial) => {
      const classifier = await trial.suggestCategorical("classifier", ["SVC", "RandomForest"]);
      if (classifier === "SVC") {
        const c = await trial.suggestFloat("svc_c", 1e-10, 1e10, { log: true });
        return 0.9 - 0.02 * Math.abs(Math.log10(c) - 2); // best at C = 100: 0.9
      }
      const depth = await trial.suggestInt("rf_max_depth", 2, 32, { log: true });
      return 0.8 - 0.01 * Math.abs(depth - 8); // best at depth 8: 0.8
    }, { trials: 60 });
    const rows = await sweep.trials();
    for (const row of rows) {
      assert.equal("params_svc_c" in row, row.params_classifier === "SVC");
      assert.equal("params_rf_max_depth" in row, row.params_classifier === "RandomForest");
    }
    const best = await sweep.bestParams();
    assert.equal(best?.classifier, "SVC");
    assert.ok((await sweep.bestValue())! > 0.85, `best ${await sweep.bestValue()}`);
    // After the 10 random start-up trials TPE mostly picks the better branch.
    const later = rows.slice(30).filter((r) => r.params_classifier === "SVC").length;
    assert.ok(later >= 20, `${later} of the last 30 trials chose SVC`);
  });

  // optuna/examples: pruning with intermediate values (report each epoch, should_prune, raise TrialPruned).
  test("pruning with intermediate values: weak curves are stopped early by the median rule", async () => {
    const sweep = await createSweep({
      config: { method: "random", metric: { name: "accuracy", goal: "maximize" }, sweep: { seed: 3 } },
      pruner: new MedianPruner({ warmupSteps: 1, minTrials: 3 }),
    });
    await optimize(sweep, async (trial) => {
      const quality = await trial.suggestFloat("quality", 0, 1);
      let accuracy = 0;
      for (let epoch = 1; epoch <= 10; epoch++) {
        accuracy = quality * (1 - Math.exp(-epoch / 3));
        await trial.report(epoch, { accuracy });
        if (await trial.shouldPrune()) throw new TrialPruned();
      }
      return accuracy;
    }, { trials: 30 });
    const rows = await sweep.trials({ intermediate: true });
    const pruned = rows.filter((r) => r.state === "pruned");
    const completed = rows.filter((r) => r.state === "completed");
    assert.ok(pruned.length >= 5, `${pruned.length} pruned`);
    for (const r of pruned) {
      assert.ok(r.intermediate_values!.length < 10 && r.intermediate_values!.length >= 1);
      assert.equal(r.prune_step, r.intermediate_values!.at(-1)!.step);
    }
    for (const r of completed) assert.equal(r.intermediate_values!.length, 10);
    const medianOf = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    assert.ok(
      medianOf(pruned.map((r) => r.params_quality as number)) < medianOf(completed.map((r) => r.params_quality as number)),
      "pruned trials are the weaker ones",
    );
  });

  // optuna/examples: a second process joins the study by name (load_study / load_if_exists).
  test("a second process loads the sweep by name and decides with the same sampler and pruner", async () => {
    const dir = tempDir();
    const db = join(dir, "sweeps.db");
    const storage = await openStorage(db);
    const config = { name: "shared-study", method: "random", metric, sweep: { seed: 9 } };
    try {
      const first = await createSweep({
        storage,
        config,
        sampler: new TPESampler({ nStartupTrials: 5 }),
        pruner: new MedianPruner({ warmupSteps: 3, minTrials: 2 }),
      });
      await optimize(first, async (t) => ((await t.suggestFloat("x", -10, 10)) - 2) ** 2, { trials: 10 });
    } finally {
      await storage.close();
    }
    const script = join(dir, "second.mjs");
    writeFileSync(
      script,
      [
        `import { createSweep, optimize } from ${JSON.stringify(pathToFileURL(join(buildRoot, "src", "index.js")).href)};`,
        `const sweep = await createSweep({ storage: ${JSON.stringify(db)}, config: ${JSON.stringify(config)}, loadIfExists: true });`,
        "await optimize(sweep, async (t) => ((await t.suggestFloat('x', -10, 10)) - 2) ** 2, { trials: 20 });",
        "const out = { id: sweep.id, sampler: sweep.sampler.name, startup: sweep.sampler.options.nStartupTrials, pruner: sweep.pruner.name,",
        "  warmup: sweep.pruner.warmupSteps, trials: (await sweep.trials()).length, best: await sweep.bestValue() };",
        "await sweep.storage.close();",
        "console.log(JSON.stringify(out));",
      ].join("\n"),
    );
    const r = spawnSync(process.execPath, [script], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual({ ...out, best: undefined, id: undefined }, { sampler: "tpe", startup: 5, pruner: "median", warmup: 3, trials: 30, best: undefined, id: undefined });
    const reopened = await openStorage(db);
    try {
      const sweeps = await reopened.listSweeps();
      assert.deepEqual(sweeps.map((s) => s.id), [out.id]);
      assert.ok((out.best as number) < 0.5, `best ${out.best} after 30 TPE trials of (x - 2)^2`);
    } finally {
      await reopened.close();
    }
  });
});

describe("loadIfExists from several processes at the same moment", () => {
  let server: PgServer | null = null;
  before(async () => {
    server = await startPgServer();
  });
  after(async () => {
    await server?.stop();
  });

  /** Starts `count` node processes that each wait for the gate file, then createSweep({loadIfExists}); their ids. */
  async function race(storageLocation: string, count: number): Promise<string[]> {
    const dir = tempDir();
    const gate = join(dir, "go");
    const script = join(dir, "racer.mjs");
    const config = { name: "raced-study", method: "random", metric, parameters: { x: { min: 0, max: 1 } } };
    writeFileSync(
      script,
      [
        `import { existsSync } from "node:fs";`,
        `import { createSweep } from ${JSON.stringify(pathToFileURL(join(buildRoot, "src", "index.js")).href)};`,
        `while (!existsSync(${JSON.stringify(gate)})) await new Promise((r) => setTimeout(r, 5));`,
        `const sweep = await createSweep({ storage: ${JSON.stringify(storageLocation)}, config: ${JSON.stringify(config)}, loadIfExists: true });`,
        "console.log(sweep.id);",
        "await sweep.storage.close();",
      ].join("\n"),
    );
    const children = Array.from({ length: count }, () => {
      const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
      child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
      return new Promise<string>((resolve, reject) =>
        child.on("exit", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`racer exited ${code}: ${err}`)))),
      );
    });
    // Every racer is up and polling (node's start is the slow part) before the gate opens.
    await new Promise((r) => setTimeout(r, 1_500));
    writeFileSync(gate, "");
    return Promise.all(children);
  }

  for (const backend of ["SQLite", "PostgreSQL"] as const) {
    test(`${backend}: six processes, one name: one sweep, and every process got it`, async (t) => {
      if (backend === "PostgreSQL" && server === null) return t.skip(POSTGRES_MISSING);
      const location = backend === "SQLite" ? join(tempDir(), "raced.db") : await server!.freshSchema();
      const ids = await race(location, 6);
      assert.equal(new Set(ids).size, 1, `the processes got ${[...new Set(ids)].join(", ")}`);
      const storage = await openStorage(location);
      try {
        const sweeps = await storage.listSweeps();
        assert.deepEqual(sweeps.map((s) => [s.id, s.name]), [[ids[0], "raced-study"]]);
        const created = (await storage.listEvents(ids[0]!)).filter((e) => e.kind === "sweep_created");
        assert.equal(created.length, 1);
      } finally {
        await storage.close();
      }
    });
  }
});
