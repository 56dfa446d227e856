/**
 * The sts-hash trainer as the sweep controller sees it: a real child process on the shipped KorSTS sample,
 * reporting through the metric protocol, stopping on SIGTERM, and refusing bad arguments.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { korstsDir } from "../helpers/paths.js";
import { METRIC_NAMES, runTrainer, type MetricsLine } from "./trainer-process.js";

/** A smaller hidden layer keeps the runs that are not about learning quality quick on a 2-core machine. */
const FAST = ["--hidden=16"];

function assertOneReportPerEpoch(reports: readonly MetricsLine[], epochs: number): void {
  assert.deepEqual(
    reports.map((r) => r.step),
    Array.from({ length: epochs }, (_, i) => i + 1),
  );
  for (const report of reports) {
    assert.deepEqual(Object.keys(report).sort(), ["step", ...METRIC_NAMES].sort());
    for (const name of METRIC_NAMES) assert.ok(Number.isFinite(report[name]), `${name} = ${report[name]}`);
  }
}

describe("sts-hash trainer process", { concurrency: 2 }, () => {
  it("learns on the sample and reports each epoch on stdout as @@sweep lines", async () => {
    const run = await runTrainer(["--epochs=4"]);
    assert.equal(run.code, 0, run.stderr);
    assertOneReportPerEpoch(run.reports, 4);
    const last = run.reports.at(-1)!;
    assert.ok(last.val_pearson > 0.2, `final val_pearson ${last.val_pearson} should be well above chance`);
    assert.ok(last.train_loss < run.reports[0]!.train_loss, "training loss should fall over the epochs");
    // The human log is on stderr, one line per epoch, and never mixed into the metric lines.
    assert.equal(run.stderr.match(/epoch \d+\/4 /g)?.length, 4, run.stderr);
    assert.equal(run.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("@@sweep ")).length, 0);
  });

  it("writes plain JSON lines to SWEEP_METRICS_FD and leaves stdout empty", async () => {
    const run = await runTrainer([...FAST, "--epochs=3"], { fdMode: true });
    assert.equal(run.code, 0, run.stderr);
    assertOneReportPerEpoch(run.reports, 3);
    assert.equal(run.stdout, "");
  });

  it("gives identical metrics for the same seed and different ones for another seed", async () => {
    const args = [...FAST, "--epochs=3"];
    const [first, second, other] = await Promise.all([
      runTrainer([...args, "--seed=7"]),
      runTrainer([...args, "--seed", "7"]),
      runTrainer([...args, "--seed=8"]),
    ]);
    for (const run of [first, second, other]) assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(second.reports, first.reports);
    assert.notDeepEqual(other.reports, first.reports);
  });

  it("takes SWEEP_PARAMS from the environment, with the command line winning", async () => {
    const params = JSON.stringify({ epochs: 3, hidden: 0, lr: 0.01 });
    const [fromEnv, overridden] = await Promise.all([
      runTrainer([], { env: { SWEEP_PARAMS: params } }),
      runTrainer(["--epochs=2"], { env: { SWEEP_PARAMS: params } }),
    ]);
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.equal(fromEnv.reports.length, 3);
    assert.match(fromEnv.stderr, /lr=0\.01 .*hidden=0 /);
    assert.equal(overridden.code, 0, overridden.stderr);
    assert.equal(overridden.reports.length, 2);
  });

  it("on SIGTERM finishes the batch, reports nothing more and exits 0 promptly", async () => {
    const epochs = 1000;
    let signalledAt = 0;
    const run = await runTrainer([...FAST, `--epochs=${epochs}`], {
      onReport: (line, child) => {
        if (line.step === 1) {
          signalledAt = performance.now();
          child.kill("SIGTERM");
        }
      },
    });
    const exitMs = performance.now() - signalledAt;
    assert.equal(run.signal, null, "the trainer should handle SIGTERM, not be killed by it");
    assert.equal(run.code, 0, run.stderr);
    assert.ok(exitMs < 1500, `exited ${exitMs.toFixed(0)} ms after SIGTERM`);
    // A report already in flight when the signal landed may still arrive; a whole epoch more may not.
    assert.ok(run.reports.length <= 2, `${run.reports.length} reports after SIGTERM at step 1`);
    assertOneReportPerEpoch(run.reports, run.reports.length);
    assert.match(run.stderr, /SIGTERM: stopped after/);
  });

  it("rejects an unknown argument with exit code 2, naming it and the closest known one", async () => {
    const run = await runTrainer(["--lrr=0.1"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /unknown argument "--lrr" \(did you mean --lr\?\)/);
    assert.equal(run.reports.length, 0);
  });

  it("rejects a bad value with exit code 2, quoting the argument and the value", async () => {
    const run = await runTrainer(["--batch_size", "zero"]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--batch_size = "zero" is invalid: expected an integer >= 1/);
  });

  it("fails with exit code 1 and the path when the data file is missing", async () => {
    const missing = join(korstsDir, "no-such-file.tsv");
    const run = await runTrainer([`--train=${missing}`]);
    assert.equal(run.code, 1);
    assert.ok(run.stderr.includes(missing), run.stderr);
  });
});

describe("sts-hash on the full KorSTS files", () => {
  const train = join(korstsDir, "sts-train.tsv");
  const dev = join(korstsDir, "sts-dev.tsv");
  const present = existsSync(train) && existsSync(dev);

  it(
    "trains on 2,000 rows and scores the whole dev set",
    { skip: present ? false : `KorSTS not found at ${korstsDir} (shared data folder absent)` },
    async () => {
      const run = await runTrainer([...FAST, `--train=${train}`, `--dev=${dev}`, "--max_train_rows=2000", "--epochs=2"]);
      assert.equal(run.code, 0, run.stderr);
      assertOneReportPerEpoch(run.reports, 2);
      assert.match(run.stderr, /2000 train \/ 1500 dev pairs/);
      assert.ok(run.reports[1]!.val_pearson > 0.5, `val_pearson ${run.reports[1]!.val_pearson}`);
    },
  );

  it(
    "stops promptly on SIGTERM while it is still featurising the full files",
    { skip: present ? false : `KorSTS not found at ${korstsDir} (shared data folder absent)` },
    async (t) => {
      let signalledAt = 0;
      const run = await runTrainer([`--train=${train}`, `--dev=${dev}`], {
        // The settings line is logged once the files are read, just before about a second of featurising.
        onStderr: (text, child) => {
          if (signalledAt === 0 && text.includes("dev pairs;")) {
            signalledAt = performance.now();
            child.kill("SIGTERM");
          }
        },
      });
      const exitMs = performance.now() - signalledAt;
      assert.equal(run.signal, null);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.reports.length, 0);
      // "Promptly" is shown by what it did not do (no epoch, no report), not by a wall-clock bound that a loaded
      // machine breaks; the time is printed for the record.
      t.diagnostic(`exited ${exitMs.toFixed(0)} ms after SIGTERM`);
      assert.match(run.stderr, /SIGTERM: stopped after 0 complete epoch/);
    },
  );
});
