import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildCommand } from "../../src/runner/command.js";
import type { MetricReport } from "../../src/runner/metric-protocol.js";
import { pythonClientDir } from "../../src/runner/package-paths.js";
import { readProcessStartTime } from "../../src/runner/process-identity.js";
import { launchToken } from "../../src/runner/launch-token.js";
import { TrainerProcess, type MetricSource } from "../../src/runner/trainer-process.js";
import { buildTrialEnv } from "../../src/runner/trial-env.js";
import { fixturesDir } from "../helpers/paths.js";

const work = mkdtempSync(join(tmpdir(), "sweep-trainer-"));
after(() => rmSync(work, { recursive: true, force: true }));

let counter = 0;

async function runFake(params: Record<string, unknown>, opts: { program?: string; stopAfterMs?: number; graceMs?: number } = {}) {
  const n = counter++;
  const program = opts.program ?? join(fixturesDir, "fake-trainer.mjs");
  const trialDir = join(work, `t${n}`);
  mkdirSync(trialDir);
  const token = launchToken("s1", 100 + n, 1);
  const env = buildTrialEnv({
    base: { ...process.env, FAKE_TRAINER_RECORD_DIR: work },
    sweepId: "s1", trialId: 100 + n, trialNumber: n, attempt: 1, launchToken: token, config: params,
    storage: join(work, "db.sqlite"), slot: { index: 0, gpus: ["2"], cudaVisibleDevices: "2", label: "GPU 2" },
    trialDir, paramsFile: join(work, "params.json"), pythonClientDir, gracePeriodSec: 1,
  });
  const argv = buildCommand({ program, params, config: params, argsJsonFile: join(work, "params.json"), env });
  const reports: Array<MetricReport & { source: MetricSource }> = [];
  const bad: string[] = [];
  const proc = await TrainerProcess.launch({
    argv, env, cwd: work, trialDir, attempt: 1, token,
    onReport: (r, source) => reports.push({ ...r, source }),
    onBadLine: (error, line, source) => bad.push(`${source}: ${error}: ${line}`),
  });
  const recordFile = join(work, `trial-${n}-attempt-1.json`);
  if (opts.stopAfterMs !== undefined) {
    // Timed from the trainer's first record (written once its signal handlers are in place), not from the
    // launch: start-up time varies with the machine's load, the trainer's behaviour under a stop must not.
    while (!existsSync(recordFile)) await new Promise((r) => setTimeout(r, 10));
    setTimeout(() => void proc.stop(opts.graceMs ?? 300), opts.stopAfterMs);
  }
  const exit = await proc.exited;
  const record = existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, "utf8")) : null;
  return { n, proc, exit, reports, bad, record };
}

test("metrics arrive on the pipe; argv is literal, pinning and SWEEP_* env are set, logs are written", async () => {
  const evil = "$(touch pwned); rm -rf x";
  const r = await runFake({ x: 10, danger: evil, epochs: 2 });
  assert.deepEqual(r.exit.code, 0);
  assert.deepEqual(r.reports.map((x) => [x.source, x.step, x.metrics.score]), [["pipe", 1, 11], ["pipe", 2, 12]]);
  assert.ok(r.record.argv.includes(`--danger=${evil}`), JSON.stringify(r.record.argv));
  assert.equal(existsSync(join(work, "pwned")), false);
  assert.equal(r.record.cuda, "2");
  assert.equal(r.record.cudaOrder, "PCI_BUS_ID");
  assert.equal(r.record.env.SWEEP_METRICS_FD, "3");
  assert.equal(JSON.parse(r.record.env.SWEEP_PARAMS).danger, evil);
  assert.match(readFileSync(join(work, `t${r.n}`, "attempt-1.stderr.log"), "utf8"), /epoch 2 done/);
  assert.equal(r.exit.stderrTail, "epoch 1 done\nepoch 2 done");
});

test("the stdout fallback works and malformed lines are reported, not fatal", async () => {
  const r = await runFake({ report: "stdout", malformed: true, epochs: 2 });
  assert.equal(r.exit.code, 0);
  assert.deepEqual(r.reports.map((x) => [x.source, x.step]), [["stdout", 1], ["stdout", 2]]);
  assert.equal(r.bad.length, 3, r.bad.join("\n"));
  assert.match(r.bad.join("\n"), /pipe: not JSON/);
  assert.match(r.bad.join("\n"), /stdout: expected a JSON object/);
  assert.match(readFileSync(join(work, `t${r.n}`, "attempt-1.stdout.log"), "utf8"), /ordinary log line/);
});

test("the Python client reports through the pipe and sees the pinning", async () => {
  const r = await runFake({ epochs: 2, x: 1 }, { program: join(fixturesDir, "fake_trainer.py") });
  assert.equal(r.exit.code, 0, r.exit.stderrTail);
  assert.deepEqual(r.reports.map((x) => [x.source, x.step, x.metrics.score]), [["pipe", 1, 2], ["pipe", 2, 3]]);
  assert.equal(r.record.cuda, "2");
  assert.equal(r.record.pythonpath.split(":")[0], pythonClientDir);
});

test("the Python client turns SIGTERM into should_stop() and exits cleanly within the grace period", async () => {
  const r = await runFake({ wait_for_stop: true }, { program: join(fixturesDir, "fake_trainer.py"), stopAfterMs: 400, graceMs: 3000 });
  assert.equal(r.exit.code, 0, r.exit.stderrTail);
  const final = JSON.parse(readFileSync(join(work, `trial-${r.n}-attempt-1.json`), "utf8"));
  assert.equal(final.stopped, true);
});

test("stop() kills a trainer that ignores SIGTERM and the grandchild it forked", async () => {
  const r = await runFake({ fork_grandchild: true, ignore_sigterm: true, hang: true, epochs: 1 }, { stopAfterMs: 300, graceMs: 200 });
  assert.equal(r.exit.signal, "SIGKILL");
  assert.ok(r.record.grandchildPid > 0);
  assert.equal(readProcessStartTime(r.record.grandchildPid), null, "grandchild still alive");
  assert.equal(readProcessStartTime(r.record.pid), null);
});

test("a grandchild left behind by a trainer that exits normally is reaped too", async () => {
  const r = await runFake({ fork_grandchild: true, epochs: 1 });
  assert.equal(r.exit.code, 0);
  assert.equal(readProcessStartTime(r.record.grandchildPid), null, "grandchild still alive");
});

test("exit codes and signals are reported with the stderr tail", async () => {
  const failed = await runFake({ exit_code: 3, epochs: 1 });
  assert.equal(failed.exit.code, 3);
  assert.match(failed.exit.stderrTail, /fatal: simulated failure 3$/);
  const crashed = await runFake({ self_signal: "SIGABRT", epochs: 1 });
  assert.equal(crashed.exit.signal, "SIGABRT");
});

test("a program that cannot start ends the attempt with a launch error naming it", async () => {
  const trialDir = join(work, "nonexistent");
  mkdirSync(trialDir);
  const token = launchToken("s1", 999, 1);
  const proc = await TrainerProcess.launch({
    argv: ["/nonexistent/trainer"], env: { ...process.env, SWEEP_LAUNCH_TOKEN: token }, cwd: work, trialDir, attempt: 1, token,
    onReport: () => {}, onBadLine: () => {},
  });
  const exit = await proc.exited;
  assert.match(exit.launchError ?? "", /could not start "\/nonexistent\/trainer": ENOENT/);
  assert.ok(existsSync(join(trialDir, "attempt-1.exit.json")));
});
