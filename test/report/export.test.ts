import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import { sweepCli } from "./cli.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-export-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Values that break naive CSV writers: separators, quotes, line breaks, leading spaces, Hangul. */
const AWKWARD = ["a,b", 'say "hi"', "line\nbreak", " padded", "한국어 토크나이저"];

const PYTHON = "/usr/bin/python3";
const hasPandas = spawnSync(PYTHON, ["-c", "import pandas"]).status === 0;

describe("sweep export", { concurrency: true }, () => {
  const db = join(dir, "sweeps.db");
  let id = "";
  before(async () => {
    const storage = await openStorage(db);
    const sweep = await createSweep({
      storage,
      config: {
        name: "klue/roberta-base",
        method: "grid",
        metric: { name: "val_pearson", goal: "maximize" },
        parameters: { tokenizer: { values: AWKWARD }, optimizer: { parameters: { lr: { values: [3e-5] } } } },
      },
    });
    id = sweep.id;
    for (const [i, name] of AWKWARD.entries()) {
      const t = (await sweep.ask({ worker: "w" }))!;
      assert.equal(t.params.tokenizer, name);
      if (i === 1) {
        await sweep.tell(t, { state: "failed", error: 'Traceback:\n  File "train.py", line 3\nValueError: bad, very bad', exitCode: 1 });
        continue;
      }
      await sweep.report(t, 1, { val_pearson: 0.8 + i / 100, train_loss: 0.5 });
      await sweep.report(t, 2, { val_pearson: 0.7 + i / 100, train_loss: 0.25 });
      await sweep.tell(t, { state: "completed" });
    }
    await storage.close();
  });

  test("CSV: one row per trial, params flattened, every metric; Python's csv module reads it back exactly", async () => {
    const out = join(dir, "trials.csv");
    const r = await sweepCli(["export", id, "--storage", db, "-o", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /wrote 5 trials/);
    const script = "import csv, json, sys; print(json.dumps(list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))))";
    const parsed = spawnSync(PYTHON, ["-c", script, out], { encoding: "utf8" });
    assert.equal(parsed.status, 0, parsed.stderr);
    const rows = JSON.parse(parsed.stdout) as Record<string, string>[];
    assert.equal(rows.length, 5);
    assert.deepEqual(rows.map((row) => row["params.tokenizer"]), AWKWARD);
    assert.equal(rows[0]!["params.optimizer.lr"], "0.00003");
    assert.equal(rows[0]!["metrics.val_pearson"], "0.7", "last reported value");
    assert.equal(rows[0]!["metrics.val_pearson.best"], "0.8", "best by the sweep's goal");
    assert.equal(rows[0]!["metrics.train_loss"], "0.25");
    assert.equal(rows[0]!["value"], "0.7");
    assert.equal(rows[1]!["status"], "failed");
    assert.equal(rows[1]!["error"], 'Traceback:\n  File "train.py", line 3\nValueError: bad, very bad');
    assert.equal(rows[1]!["metrics.val_pearson"], "", "no value is an empty field");
    assert.ok(readFileSync(out, "utf8").includes("\r\n"), "RFC 4180 line ends");
  });

  test("CSV reads into pandas as is", { skip: hasPandas ? false : "python3 has no pandas (apt-get install python3-pandas)" }, async () => {
    const out = join(dir, "pandas.csv");
    await sweepCli(["export", id, "--storage", db, "-o", out]);
    const script = [
      "import pandas as pd, sys, json",
      "df = pd.read_csv(sys.argv[1])",
      "print(json.dumps({'shape': list(df.shape), 'tok': df['params.tokenizer'].tolist(), 'dtype': str(df['metrics.val_pearson'].dtype),",
      " 'nan': bool(df['metrics.val_pearson'].isna()[1]), 'lr': float(df['params.optimizer.lr'][0])}))",
    ].join("\n");
    const r = spawnSync(PYTHON, ["-c", script, out], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { shape: number[]; tok: string[]; dtype: string; nan: boolean; lr: number };
    assert.equal(info.shape[0], 5);
    assert.deepEqual(info.tok, AWKWARD);
    assert.equal(info.dtype, "float64");
    assert.equal(info.nan, true);
    assert.equal(info.lr, 3e-5);
  });

  test("JSON and JSON Lines hold the same flat records", async () => {
    const json = await sweepCli(["export", id, "--format", "json", "--storage", db]);
    const lines = await sweepCli(["export", id, "--format", "jsonl", "--storage", db]);
    assert.equal(json.code, 0, json.stderr);
    const records = JSON.parse(json.stdout) as Record<string, unknown>[];
    assert.deepEqual(lines.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as unknown), records);
    assert.equal(records.length, 5);
    assert.equal(records[2]!["params.tokenizer"], "line\nbreak");
    assert.equal(records[2]!["metrics.val_pearson"], 0.72);
    assert.equal(records[1]!["metrics.val_pearson"], null);
    assert.deepEqual(Object.keys(records[0]!).slice(0, 5), ["sweep_id", "sweep_name", "trial", "trial_id", "status"]);
  });

  test("an unknown sweep id is exit 4", async () => {
    const r = await sweepCli(["export", "nosuchid", "--storage", db]);
    assert.equal(r.code, 4);
  });
});
