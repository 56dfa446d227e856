/**
 * The tfjs trainer as the controller runs it: a real child process on a few hundred KorSTS sample pairs,
 * learning (dev Pearson well above chance), saying which backend it runs on, and the ONNX encoder path
 * with a tiny encoder this test writes itself.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { after, describe, it } from "node:test";
import { parseStsTsv } from "../../examples/trainers/sts-hash/data.js";
import { Rng } from "../../examples/trainers/sts-hash/rng.js";
import { OnnxSentenceEncoder } from "../../examples/trainers/sts-tfjs/onnx-encoder.js";
import { buildRoot, repoRoot } from "../helpers/paths.js";
import { embeddingEncoderModel } from "./tiny-onnx.js";

const trainerMain = join(buildRoot, "examples", "trainers", "sts-tfjs", "train.js");
const sampleTrain = join(repoRoot, "examples", "data", "korsts-sample", "train.tsv");

interface Run {
  readonly code: number | null;
  readonly stderr: string;
  readonly reports: Record<string, number>[];
}

/** Runs the trainer with metrics on fd 3, as the controller does. */
function runTfjsTrainer(args: readonly string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, SWEEP_METRICS_FD: "3" };
  delete env.SWEEP_PARAMS;
  const child = spawn(process.execPath, [trainerMain, "--pure_js=true", ...args], { env, stdio: ["ignore", "ignore", "pipe", "pipe"] });
  let stderr = "";
  let metrics = "";
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  (child.stdio[3] as Readable).setEncoding("utf8").on("data", (d: string) => (metrics += d));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stderr, reports: metrics.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, number>) }),
    );
  });
}

function onnxRuntimeInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve("onnxruntime-node");
    return true;
  } catch {
    return false;
  }
}

describe("sts-tfjs trainer", { concurrency: 2 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "sts-tfjs-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("learns from 300 pairs in a short run and says which backend it runs on", async () => {
    const run = await runTfjsTrainer(["--max_train_rows=300", "--epochs=4", "--lr=0.003"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.reports.map((r) => r.step), [1, 2, 3, 4]);
    const last = run.reports.at(-1)!;
    assert.ok(last.val_pearson! > 0.5, `final val_pearson ${last.val_pearson} should be well above chance (0)`);
    assert.ok(last.train_loss! < run.reports[0]!.train_loss!, "training loss should fall");
    assert.match(run.stderr, /tfjs 4\.\d+\.\d+ on backend cpu \(pure JavaScript/);
  });

  it("refuses an unknown model_name with exit code 2", async () => {
    const run = await runTfjsTrainer(["--model_name=bert"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--model_name = "bert" is invalid: expected one of wide, wide_deep/);
  });

  it("trains on sentence embeddings from an ONNX encoder (--encoder)", { skip: onnxRuntimeInstalled() ? false : "onnxruntime-node is not installed (optional dependency of examples/trainers/sts-tfjs)" }, async () => {
    // A character-level WordPiece vocabulary of the sample, and random 16-dim embeddings for it.
    const chars = new Set<string>();
    for (const p of parseStsTsv(readFileSync(sampleTrain, "utf8"), sampleTrain)) for (const ch of p.sentence1 + p.sentence2) if (ch.trim() !== "") chars.add(ch);
    const vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", ...[...chars].flatMap((ch) => [ch, `##${ch}`])];
    const dim = 16;
    const rng = new Rng(3);
    const embedding = Float32Array.from({ length: vocab.length * dim }, () => rng.normal());
    writeFileSync(join(dir, "vocab.txt"), vocab.join("\n") + "\n");
    const model = join(dir, "encoder.onnx");
    writeFileSync(model, embeddingEncoderModel(embedding, vocab.length, dim));

    // The encoder really ran the model: a sentence's embedding is the mean of its tokens' rows.
    const encoder = await OnnxSentenceEncoder.open(model, join(dir, "vocab.txt"), 128);
    const [sentence] = await encoder.encode(["남자가"]);
    await encoder.close();
    const ids = ["[CLS]", "남", "##자", "##가", "[SEP]"].map((t) => vocab.indexOf(t));
    const expected = Array.from({ length: dim }, (_, j) => ids.reduce((s, id) => s + embedding[id * dim + j]!, 0) / ids.length);
    expected.forEach((value, j) => assert.ok(Math.abs(sentence![j]! - value) < 1e-5, `dimension ${j}: ${sentence![j]} vs ${value}`));

    const run = await runTfjsTrainer([`--encoder=${model}`, "--max_train_rows=300", "--epochs=3", "--lr=0.01", "--loss=smooth_l1"]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.reports.map((r) => r.step), [1, 2, 3]);
    assert.match(run.stderr, /33 features \(ONNX encoder .*encoder\.onnx/);
    assert.ok(run.reports.at(-1)!.val_pearson! > 0.2, `val_pearson ${run.reports.at(-1)!.val_pearson} should be above chance`);
  });
});
