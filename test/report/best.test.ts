import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import { bestPerModel } from "../../src/report/best.js";
import { loadSweepData, type SweepData } from "../../src/report/data.js";
import { sweepCli } from "./cli.js";
import { buildSeedStorage, type SeedStorage } from "./seeds.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-best-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The library's view of some sweeps (all when no id is given), read from the SQLite file. */
async function sweepsOf(db: string, ids?: readonly string[]): Promise<SweepData[]> {
  const storage = await openStorage(db);
  try {
    const records = (await storage.listSweeps()).filter((s) => ids === undefined || ids.includes(s.id));
    return await Promise.all(records.map((r) => loadSweepData(storage, r)));
  } finally {
    await storage.close();
  }
}

interface BestJson {
  metric: string;
  goal: string;
  goal_source: string;
  notes: string[];
  rows: {
    model: string;
    rank: number;
    value: number;
    sweep_id: string;
    trial: number;
    status: string;
    lr: { name: string; value: number } | null;
    batch_size: { name: string; value: number } | null;
    warmup: { name: string; value: number } | null;
    weight_decay: { name: string; value: number } | null;
    params: Record<string, unknown>;
  }[];
}

describe("sweep best over the seeds' sweeps", { concurrency: true }, () => {
  let seeds: SeedStorage;
  before(async () => {
    seeds = await buildSeedStorage(join(dir, "seeds.db"));
  });

  test("one row per model across every sweep, best model first, with lr, batch size, warmup and weight decay", async () => {
    const r = await sweepCli(["best", "--metric", "val_pearson", "--storage", seeds.db, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(r.stdout) as BestJson;
    assert.equal(json.goal, "maximize");
    assert.deepEqual(
      json.rows.map((row) => row.model),
      seeds.expected.map((e) => e.model),
    );
    for (const [i, expected] of seeds.expected.entries()) {
      const row = json.rows[i]!;
      assert.equal(row.value, expected.value, row.model);
      assert.equal(row.lr?.value, expected.lr, `${row.model} lr`);
      assert.equal(row.batch_size?.value, expected.batchSize, `${row.model} batch size`);
      assert.equal(row.warmup?.value, expected.warmup, `${row.model} warmup`);
      assert.equal(row.weight_decay?.value, expected.weightDecay, `${row.model} weight decay`);
    }
    // klue/roberta-base ran alone and inside the multi-model sweep: its best comes from the latter, under HF names.
    const roberta = json.rows.find((row) => row.model === "klue/roberta-base")!;
    assert.equal(roberta.sweep_id, seeds.ids.multi);
    assert.equal(roberta.lr?.name, "learning_rate");
    assert.equal(roberta.batch_size?.name, "per_device_train_batch_size");
    assert.equal(roberta.warmup?.name, "warmup_steps");
    const koelectra = json.rows.find((row) => row.model === "monologg/koelectra-base-v3-discriminator")!;
    assert.equal(koelectra.lr?.name, "lr");
    assert.equal(koelectra.warmup?.name, "warmup_ratio");
  });

  test("the table names the metric, the goal's source and the model key, and lists every other param", async () => {
    const r = await sweepCli(["best", "--metric", "val_pearson", "--storage", seeds.db]);
    assert.equal(r.code, 0, r.stderr);
    const [title, , header, ...rows] = r.stdout.trimEnd().split("\n");
    assert.match(title!, /best val_pearson \(maximize, the sweep's metric\) per model \(parameter model_name, else sweep name\)/);
    for (const column of ["model", "val_pearson", "trial", "lr", "batch_size", "warmup", "weight_decay", "optimizer"]) {
      assert.match(header!, new RegExp(`\\b${column}\\b`));
    }
    assert.equal(rows.length, seeds.expected.length);
    assert.match(rows[0]!, /^klue\/roberta-large\s+0\.91\s/);
    // The sweeps name lr differently, so each cell says which parameter it is.
    assert.match(r.stdout, /3e-5 \(learning_rate\)/);
    assert.match(r.stdout, /0\.1 \(warmup_ratio\)/);
  });

  test("CSV has the same rows with raw values and a <role>_param column where names differ", async () => {
    const r = await sweepCli(["best", "--storage", seeds.db, "--format", "csv"]);
    assert.equal(r.code, 0, r.stderr);
    const [header, first] = r.stdout.split("\r\n");
    assert.equal(header, "model,val_pearson,sweep,trial,lr,lr_param,batch_size,batch_size_param,warmup,warmup_param,weight_decay,optimizer,trials");
    assert.match(first!, /^klue\/roberta-large,0\.91,\w+,11,0\.00003,lr,16,batch_size,0\.1,warmup_ratio,0\.01,adamw,16$/);
  });

  test("one sweep id narrows the answer to that sweep's models", async () => {
    const result = bestPerModel(await sweepsOf(seeds.db, [seeds.ids.multi!]));
    assert.deepEqual(result.rows.map((row) => row.model), ["klue/roberta-base", "snunlp/KR-ELECTRA-discriminator"]);
    assert.equal(result.modelSource, "parameter model_name");
  });

  test("top K ranks K trials per model", async () => {
    const result = bestPerModel(await sweepsOf(seeds.db), { top: 3 });
    assert.equal(result.rows.length, 3 * seeds.expected.length);
    const large = result.rows.filter((row) => row.model === "klue/roberta-large");
    assert.deepEqual(large.map((row) => row.rank), [1, 2, 3]);
    assert.ok(large[0]!.value >= large[1]!.value && large[1]!.value >= large[2]!.value);
  });

  test("any reported metric: a loss is minimised by its name, and agg best takes its lowest point", async () => {
    const sweeps = await sweepsOf(seeds.db);
    const last = bestPerModel(sweeps, { metric: "val_loss" });
    assert.equal(last.goal, "minimize");
    assert.equal(last.goalSource, "inferred from the name");
    // val_loss ends at 1 - final and dips 0.05 lower at epoch 2.
    assert.equal(last.rows.find((row) => row.model === "klue/roberta-large")!.value, Number((1 - 0.91).toFixed(6)));
    const best = bestPerModel(sweeps, { metric: "val_loss", agg: "best" });
    assert.equal(best.rows.find((row) => row.model === "klue/roberta-large")!.value, Number((1 - 0.91 - 0.05).toFixed(6)));
  });

  test("includePruned also ranks pruned trials", async () => {
    const sweeps = await sweepsOf(seeds.db, [seeds.ids["xlm-roberta-large"]!]);
    assert.equal(bestPerModel(sweeps, { top: 30 }).rows.length, 16);
    const rows = bestPerModel(sweeps, { top: 30, includePruned: true }).rows;
    assert.equal(rows.length, 24);
    assert.ok(rows.some((row) => row.status === "pruned"));
  });

  test("--by names the model parameter; a parameter no sweep has is exit 7 listing the parameters", async () => {
    const r = await sweepCli(["best", "--by", "model_type", "--storage", seeds.db]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /no sweep has a parameter 'model_type'/);
    assert.match(r.stderr, /model_name/);
    const byOptimizer = await sweepCli(["best", "--by", "optimizer", "--storage", seeds.db, "--format", "json"]);
    assert.equal(byOptimizer.code, 0, byOptimizer.stderr);
    assert.match(byOptimizer.stderr, /note: sweep korsts-models has no parameter 'optimizer'/);
  });

  test("a metric never reported is exit 7 and lists the metrics that were", async () => {
    const r = await sweepCli(["best", "--metric", "val_f1", "--storage", seeds.db]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /metric 'val_f1' was never reported/);
    assert.match(r.stderr, /val_pearson/);
  });

  test("an unknown sweep id is exit 4", async () => {
    const r = await sweepCli(["best", "nosuchid", "--storage", seeds.db]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /no sweep 'nosuchid'/);
  });
});

describe("sweep best with nothing to report", { concurrency: true }, () => {
  const db = join(dir, "empty.db");
  let noneCompleted = "";
  let oddMetric = "";
  before(async () => {
    const storage = await openStorage(db);
    const sweep = await createSweep({
      storage,
      config: { name: "klue/roberta-small", method: "random", metric: { name: "val_pearson", goal: "maximize" }, parameters: { lr: { min: 1e-5, max: 1e-4 } } },
    });
    noneCompleted = sweep.id;
    const t = (await sweep.ask())!;
    await sweep.tell(t, { state: "failed", error: "CUDA out of memory" });
    const other = await createSweep({
      storage,
      config: { name: "other", method: "random", metric: { name: "val_pearson", goal: "maximize" }, parameters: { lr: { min: 1e-5, max: 1e-4 } } },
    });
    oddMetric = other.id;
    const u = (await other.ask())!;
    await other.report(u, 1, { val_pearson: 0.5, steps_per_second: 3.2 });
    await other.tell(u, { state: "completed" });
    await storage.close();
  });

  test("no completed trial: exit 7 with the status counts", async () => {
    const r = await sweepCli(["best", noneCompleted, "--storage", db]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /no completed trial yet \(klue\/roberta-small: 1 failed\)/);
  });

  test("a reported metric whose direction the name does not tell: exit 2 asking for --goal", async () => {
    const r = await sweepCli(["best", oddMetric, "--metric", "steps_per_second", "--storage", db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /give --goal max or --goal min/);
    const ok = await sweepCli(["best", oddMetric, "--metric", "steps_per_second", "--goal", "max", "--storage", db, "--format", "json"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((JSON.parse(ok.stdout) as BestJson).rows[0]!.value, 3.2);
  });
});
