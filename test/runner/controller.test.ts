import assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { startSweep, type RunnerFlags } from "../../src/runner/session.js";
import { setupSlots } from "../../src/runner/setup.js";
import { Sink, Workspace, fakeTrainer, pidAlive, pythonTrainer, type TrainerRecord } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());

async function run(body: string, flags: RunnerFlags = {}, env: Record<string, string> = {}) {
  const storage = await ws.openStorage();
  const sink = new Sink();
  try {
    const before = new Set(ws.trainerRecords().map((r) => `${r.pid}`));
    const summary = await startSweep(storage, ws.resolved(body), flags, { progress: "lines", stdout: sink, stderr: sink, handleSignals: false, env: ws.env(env), cwd: ws.dir });
    const trials = await storage.listTrials(summary.sweepId);
    const records = ws.trainerRecords().filter((r) => !before.has(`${r.pid}`) && r.env?.SWEEP_ID === summary.sweepId);
    return { summary, trials, records, output: sink.text };
  } finally {
    await storage.close();
  }
}

/** Max number of trainers that held the same GPU at the same moment. */
function maxSharing(records: TrainerRecord[]): number {
  let max = 0;
  for (const r of records) {
    const sharing = records.filter((o) => o.cuda === r.cuda && o.startedAt <= r.startedAt && (o.endedAt ?? Infinity) > r.startedAt).length;
    max = Math.max(max, sharing);
  }
  return max;
}

test("each trainer sees exactly its own GPU, and no GPU is shared while 4 slots run 8 trials", async () => {
  const { summary, trials, records } = await run("method: grid\nparameters:\n  x: {values: [1, 2, 3, 4, 5, 6, 7, 8]}\n  epoch_ms: {value: 60}\n");
  assert.equal(summary.exitCode, ExitCode.ok, summary.reason);
  assert.equal(trials.filter((t) => t.status === "completed").length, 8);
  assert.equal(records.length, 8);
  for (const r of records) {
    assert.match(r.cuda!, /^[0-3]$/);
    assert.equal(r.env.SWEEP_GPUS, r.cuda);
    assert.equal(trials.find((t) => t.number === r.number)!.gpus, r.cuda);
  }
  assert.equal(new Set(records.map((r) => r.cuda)).size, 4, "all four GPUs were used");
  assert.equal(maxSharing(records), 1);
});

test("--trials-per-gpu 2 shares a GPU between at most two trials; --gpus picks GPUs", async () => {
  const { records } = await run("method: grid\nparameters:\n  x: {values: [1, 2, 3, 4, 5, 6]}\n  epoch_ms: {value: 250}\n", { gpus: "1,3", trialsPerGpu: 2 });
  assert.deepEqual([...new Set(records.map((r) => r.cuda))].sort(), ["1", "3"]);
  assert.equal(maxSharing(records), 2);
});

test("--gpus-per-trial 2 gives each trial two GPUs; without GPUs, --parallel CPU slots hide every GPU", async () => {
  const pairs = await run("method: grid\nparameters:\n  x: {values: [1, 2]}\n", { gpusPerTrial: 2 });
  assert.deepEqual(pairs.records.map((r) => r.cuda).sort(), ["0,1", "2,3"]);
  const cpu = await run("method: grid\nparameters:\n  x: {values: [1, 2, 3]}\n", { parallel: 2 }, { FAKE_NVIDIA_SMI_FAIL: "1" });
  assert.deepEqual(cpu.records.map((r) => r.cuda), ["", "", ""]);
  assert.match(cpu.output, /no GPU found .*running on 2 CPU slot/);
});

test("slot setup honours the controller's CUDA_VISIBLE_DEVICES and skips busy GPUs", async () => {
  const visible = await setupSlots({}, ws.env({ CUDA_VISIBLE_DEVICES: "2,0" }));
  assert.deepEqual(visible.slots.map((s) => s.cudaVisibleDevices), ["2", "0"]);
  const busy = await setupSlots({ skipBusyGpus: true }, ws.env({ FAKE_GPU_MEMORY_USED: "1:30000,2:20000" }));
  assert.deepEqual(busy.slots.map((s) => s.cudaVisibleDevices), ["0", "3"]);
  assert.match(busy.notices.join("\n"), /skipping busy GPU 1 \(30000 MiB in use\)/);
  await assert.rejects(setupSlots({ gpus: "0,5" }, ws.env()), /names GPU "5"/);
});

test("macros and argv: a hostile value is one literal argument and nothing is executed", async () => {
  const evil = "$(touch pwned); rm -rf x";
  const body = [
    "method: grid",
    "metric: {name: score, goal: maximize}",
    "command: [\"${env}\", \"${interpreter}\", \"${program}\", \"--cfg=${args_json_file}\", \"${args_no_boolean_flags}\"]",
    "parameters:",
    `  danger: {value: ${JSON.stringify(evil)}}`,
    "  flag: {value: true}",
    "  opt:",
    "    parameters:",
    "      lr: {value: 0.5}",
  ].join("\n");
  const { records, trials } = await run(body, { gpus: "0" });
  const argv = records[0]!.argv;
  assert.ok(argv.includes(`--danger=${evil}`), JSON.stringify(argv));
  assert.ok(argv.includes("--flag"));
  assert.ok(argv.includes("--opt={'lr': 0.5}"), JSON.stringify(argv)); // W&B's agent writes a nested parameter as its dict
  const cfgFile = argv.find((a) => a.startsWith("--cfg="))!.slice("--cfg=".length);
  assert.deepEqual(JSON.parse(readFileSync(cfgFile, "utf8")), { danger: evil, flag: true, opt: { lr: 0.5 } });
  assert.deepEqual(JSON.parse(records[0]!.env.SWEEP_PARAMS!), { danger: evil, flag: true, opt: { lr: 0.5 } });
  assert.equal(existsSync(join(ws.dir, "pwned")), false);
  assert.equal(trials[0]!.status, "completed");
  assert.equal(trials[0]!.value, 3);
});

test("metrics through the pipe, the stdout fallback and the Python client become the objective", async () => {
  const { trials, summary } = await run("method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  report: {values: [pipe, stdout, both]}\n  x: {value: 10}\n");
  assert.equal(summary.exitCode, ExitCode.ok);
  assert.deepEqual(trials.map((t) => [t.params.report, t.status, t.value]), [["pipe", "completed", 13], ["stdout", "completed", 13], ["both", "completed", 13]]);
  assert.deepEqual(summary.tally.best?.value, 13);

  const py = await run(`program: ${pythonTrainer}\nmethod: grid\nmetric: {name: score, goal: maximize}\nsweep: {objective: best}\nparameters:\n  x: {values: [1, 5]}\n  epochs: {value: 2}\n`);
  assert.deepEqual(py.trials.map((t) => [t.status, t.value]), [["completed", 3], ["completed", 7]]);
});

test("failures are recorded with their cause and stderr tail; crashes are retried, NaN is not", async () => {
  const { trials, summary, records, output } = await run(
    "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  exit_code: {values: [0, 3]}\n  nan_at: {value: -1}\n  epochs: {value: 2}\n",
    { maxRetries: 1 },
  );
  assert.equal(summary.exitCode, ExitCode.trialsFailed);
  const failed = trials.find((t) => t.params.exit_code === 3)!;
  assert.equal(failed.status, "failed");
  assert.equal(failed.attempt, 2, "retried once");
  assert.equal(failed.exitCode, 3);
  assert.match(failed.error!, /exited with code 3\n--- last lines of stderr ---\n(.|\n)*fatal: simulated failure 3/);
  assert.equal(records.filter((r) => r.number === failed.number).length, 2);
  assert.match(output, /will retry/);

  const nan = await run("method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  nan_at: {value: 2}\n  epochs: {value: 5}\n  epoch_ms: {value: 50}\n", { maxRetries: 2 });
  assert.equal(nan.trials[0]!.status, "failed");
  assert.equal(nan.trials[0]!.attempt, 1, "a NaN is not retried");
  assert.match(nan.trials[0]!.error!, /metric 'score' was NaN at step 2/);
  assert.equal(nan.records[0]!.finished, false, "stopped as soon as the NaN arrived");

  const silent = await run("method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  no_metrics: {value: true}\n  malformed: {value: true}\n");
  assert.match(silent.trials[0]!.error!, /exited with code 0 without reporting the sweep metric 'score' \(it reported no metric at all\)/);
  assert.match(silent.output, /skipped a malformed metric line on fd 3 \(not JSON/);

  const crash = await run("method: grid\nparameters:\n  self_signal: {value: SIGSEGV}\n");
  assert.equal(crash.trials[0]!.signal, "SIGSEGV");
  assert.match(crash.trials[0]!.error!, /killed by signal SIGSEGV/);
});

test("a timed-out trainer is stopped with its grandchild, even when it ignores SIGTERM", async () => {
  // The trainer ignores SIGTERM from its first instruction (an ignored signal survives exec), not only once Node
  // has started and installed its handler: on a loaded machine the timeout can come first.
  const ignoringFromTheStart = `command:\n  - /bin/sh\n  - -c\n  - 'trap "" TERM; exec "$0" "$@"'\n  - ${process.execPath}\n  - ${fakeTrainer}\n  - \${args}\n`;
  const { trials, records } = await run(
    `${ignoringFromTheStart}method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  hang: {value: true}\n  fork_grandchild: {value: true}\n  ignore_sigterm: {value: true}\n  epochs: {value: 1}\n`,
    { trialTimeout: 1.5, gracePeriod: 0.2 },
  );
  assert.equal(trials[0]!.status, "failed");
  assert.match(trials[0]!.error!, /timed out after 1.5 s/);
  assert.equal(trials[0]!.signal, "SIGKILL");
  assert.equal(pidAlive(records[0]!.pid), false);
  assert.equal(pidAlive(records[0]!.grandchildPid!), false, "grandchild survived");
});

test("a trainer that fails the same way every time stops the sweep after 3 runs (exit 5)", async () => {
  const { summary, trials, records } = await run("method: random\nrun_cap: 20\nparameters:\n  x: {min: 0, max: 1}\n  exit_code: {value: 2}\n", { gpus: "0" });
  assert.equal(summary.exitCode, ExitCode.trainerBroken);
  assert.match(summary.reason, /the last 3 trial runs all failed the same way \(exited with code 2\)/);
  assert.equal(records.length, 3);
  assert.equal(trials.length, 3);
  const storage = await ws.openStorage();
  try {
    assert.equal((await storage.getSweep(summary.sweepId))!.status, "failed");
  } finally {
    await storage.close();
  }
});

test("a trial the pruner rejects is stopped at once and recorded as pruned with its step and rule", async () => {
  const { trials, records } = await run(
    "method: grid\nmetric: {name: score, goal: maximize}\nsweep: {pruner: {type: median, warmup_steps: 1, min_trials: 1}}\nparameters:\n  x: {values: [10, 0]}\n  epochs: {value: 8}\n  epoch_ms: {value: 60}\n",
    { gpus: "0", gracePeriod: 1 },
  );
  assert.deepEqual(trials.map((t) => t.status), ["completed", "pruned"]);
  assert.ok(trials[1]!.pruneStep !== null && trials[1]!.pruneStep < 8, `pruned at ${trials[1]!.pruneStep}`);
  assert.ok(trials[1]!.pruneReason);
  assert.equal(records.find((r) => r.number === 1)!.finished, false, "the pruned trainer was stopped before its last epoch");
});

test("a trial timeout beyond Node's timer range (30 days) does not stop trials at once", async () => {
  const { trials } = await run("method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  epochs: {value: 2}\n", { trialTimeout: 30 * 86_400 });
  assert.equal(trials[0]!.status, "completed", trials[0]!.error ?? "");
});

test("trial folders are private (0700) and params.json is 0600: parameters and trainer output may carry tokens", async () => {
  const { summary, trials } = await run("method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  epochs: {value: 1}\n");
  const dir = join(ws.dir, "storage", "runs", summary.sweepId, `trial-${String(trials[0]!.number).padStart(4, "0")}`);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.equal(statSync(join(dir, "params.json")).mode & 0o777, 0o600);
});
