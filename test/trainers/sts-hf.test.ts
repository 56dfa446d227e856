/**
 * The Hugging Face STS trainer (examples/trainers/sts-hf) as a real Python child process: the plain-torch
 * loop with the torch-only tiny model, and, where transformers is importable, a tiny randomly initialised
 * BERT this test builds and saves locally (nothing is downloaded). Each part is skipped, saying why, when
 * its Python packages are missing (Debian: apt-get install python3-torch; transformers is not packaged).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { pythonClientDir } from "../../src/runner/package-paths.js";
import { repoRoot } from "../helpers/paths.js";

const python = "/usr/bin/python3";
const trainer = join(repoRoot, "examples", "trainers", "sts-hf", "train.py");

function importable(module: string): boolean {
  return spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;
}

const hasTorch = importable("torch");
const hasTransformers = hasTorch && importable("transformers");

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  readonly reports: Record<string, number>[];
}

function runPython(args: readonly string[], script = trainer): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: pythonClientDir, SWEEP_TRIAL_ID: "1", CUDA_VISIBLE_DEVICES: "" };
  delete env.SWEEP_METRICS_FD;
  const child = spawn(python, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stderr,
        reports: stdout.split("\n").filter((l) => l.startsWith("@@sweep ")).map((l) => JSON.parse(l.slice(8)) as Record<string, number>),
      }),
    );
  });
}

describe("sts-hf trainer", () => {
  const dir = mkdtempSync(join(tmpdir(), "sts-hf-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trains the torch-only tiny model, reporting val_pearson and val_loss each epoch", { skip: hasTorch ? false : `torch is not importable by ${python} (apt-get install python3-torch)` }, async () => {
    const run = await runPython(["--model_name=tiny-test", "--epochs=3", "--lr=3e-3", "--max_train_rows=300", "--loss=smooth_l1", "--optimizer=adam", "--hidden=64"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.reports.map((r) => r.step), [1, 2, 3]);
    for (const r of run.reports) for (const name of ["val_pearson", "val_loss", "train_loss"]) assert.ok(Number.isFinite(r[name]), `${name} = ${r[name]}`);
    assert.ok(run.reports[2]!.train_loss! < run.reports[0]!.train_loss!, "training loss should fall");
    // Parameters a W&B sweep file passes but this trainer does not use are tolerated and named.
    assert.match(run.stderr, /ignoring --hidden=64/);
  });

  it("fine-tunes a tiny randomly initialised BERT saved locally", { skip: hasTransformers ? false : `transformers is not importable by ${python}; the Hugging Face model path is not tested here` }, async () => {
    const modelDir = join(dir, "tiny-bert");
    const build = spawnSync(python, ["-c", `
import sys
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast
chars = sorted({c for line in open(sys.argv[2], encoding="utf-8") for c in line if not c.isspace()})
vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + chars + ["##" + c for c in chars]
open(sys.argv[1] + ".vocab", "w", encoding="utf-8").write("\\n".join(vocab) + "\\n")
tokenizer = BertTokenizerFast(vocab_file=sys.argv[1] + ".vocab", do_lower_case=False)
config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64, num_labels=1)
BertForSequenceClassification(config).save_pretrained(sys.argv[1])
tokenizer.save_pretrained(sys.argv[1])
`, modelDir, join(repoRoot, "examples", "data", "korsts-sample", "train.tsv")], { encoding: "utf8" });
    assert.equal(build.status, 0, build.stderr);
    const run = await runPython([`--model_name=${modelDir}`, "--epochs=2", "--lr=1e-3", "--max_train_rows=200", "--batch_size=32"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.reports.map((r) => r.step), [1, 2]);
    assert.ok(Number.isFinite(run.reports[1]!.val_pearson), run.stderr);
  });

  it("says how to proceed when a model path needs transformers and it is missing", { skip: hasTorch && !hasTransformers ? false : "needs torch without transformers" }, async () => {
    const run = await runPython(["--model_name=/models/klue-roberta-large", "--epochs=1"]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /needs the transformers package .*--model_name=tiny-test/);
  });
});
