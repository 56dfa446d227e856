/**
 * The W&B drop-in, for real: a corpus of W&B-style scripts (test/fixtures/wandb-corpus) run unchanged under
 * the offline `wandb` shim with the real controller and the fake nvidia-smi, each checked for the trials
 * that complete, are pruned or fail as W&B would decide, and for what reached the storage.
 *
 * In-script sweeps (`wandb.sweep` + `wandb.agent(function=...)`) run as `sweep wandb -- python SCRIPT`;
 * trainers for a sweep file run as `sweep run FILE --wandb-shim`. Trials run one at a time on one GPU where
 * pruning is checked, since W&B's hyperband decisions depend on which trials reached a band first.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { after, describe, it } from "node:test";
import { pythonClientDir, wandbShimDir } from "../../src/runner/package-paths.js";
import type { IntermediateRecord, TrialRecord } from "../../src/storage/types.js";
import { cliMain, fixturesDir } from "../helpers/paths.js";
import { Workspace } from "../runner/harness.js";

const python = "/usr/bin/python3";
const corpus = join(fixturesDir, "wandb-corpus");

interface Outcome {
  readonly ws: Workspace;
  readonly code: number | null;
  readonly stderr: string;
  readonly stdout: string;
  readonly sweepId: string;
  readonly sweepStatus: string | undefined;
  readonly trials: TrialRecord[];
  readonly metrics: IntermediateRecord[];
}

const workspaces: Workspace[] = [];
after(() => workspaces.forEach((ws) => ws.dispose()));

function workspace(): Workspace {
  const ws = new Workspace();
  workspaces.push(ws);
  return ws;
}

/** Runs the CLI (`sweep ARGS --storage DB`) in the workspace with the fake nvidia-smi first on PATH. */
function cli(ws: Workspace, args: string[], opts: { detached?: boolean; onSpawn?: (pid: number) => void } = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd: ws.dir, env: ws.env(), stdio: ["ignore", "pipe", "pipe"], detached: opts.detached ?? false });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
      if (opts.onSpawn && /trial 0 started/.test(stderr)) {
        opts.onSpawn(child.pid!);
        opts.onSpawn = undefined;
      }
    });
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

async function collect(ws: Workspace, result: { code: number | null; stdout: string; stderr: string }, sweepId?: string): Promise<Outcome> {
  const id = sweepId ?? /sweep ([a-z0-9]{8}): (created|found again)/.exec(result.stderr)?.[1];
  assert.ok(id, `no sweep id in:\n${result.stderr}`);
  const storage = await ws.openStorage();
  try {
    const sweepStatus = (await storage.getSweep(id))?.status;
    return { ...result, ws, sweepId: id, sweepStatus, trials: await storage.listTrials(id), metrics: await storage.listIntermediates({ sweepId: id }) };
  } finally {
    await storage.close();
  }
}

/** `sweep wandb [flags] -- python SCRIPT`. */
async function sweepWandb(script: string, flags: string[] = ["--gpus", "0"], ws = workspace()): Promise<Outcome> {
  const result = await cli(ws, ["wandb", "--storage", ws.db, ...flags, "--", python, join(corpus, script)]);
  return collect(ws, result);
}

/** `sweep run FILE --wandb-shim` for a trainer of the corpus. */
async function sweepRun(name: string, body: string, flags: string[] = ["--gpus", "0"]): Promise<Outcome> {
  const ws = workspace();
  const file = ws.sweepFile(name, body);
  const result = await cli(ws, ["run", file, "--storage", ws.db, "--wandb-shim", "--seed", "1", ...flags]);
  return collect(ws, result, /sweep ([a-z0-9]{8})/.exec(result.stderr)?.[1]);
}

const statuses = (o: Outcome) => o.trials.map((t) => t.status);
const values = (o: Outcome) => o.trials.map((t) => t.value);
const metricOf = (o: Outcome, trial: TrialRecord, name: string) => o.metrics.filter((m) => m.trialId === trial.id && m.name === name);
const close = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-9;

describe("W&B scripts under the shim", { concurrency: 3 }, () => {
  it("in-script wandb.sweep + wandb.agent(function=...) runs every grid point as a trial; `sweep best` reads the result", async () => {
    const o = await sweepWandb("in_script_grid.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed", "completed"], o.stderr);
    assert.deepEqual(o.trials.map((t) => t.params.lr), [0.3, 0.1, 0.2]);
    o.trials.forEach((t) => assert.ok(close(t.value, (t.params.lr as number) / 3), `${t.value}`));
    assert.deepEqual(o.trials.map((t) => t.gpus), ["0", "0", "0"]);
    const best = await cli(o.ws, ["best", o.sweepId, "--storage", o.ws.db, "--metric", "val_loss", "--goal", "minimize", "--format", "json"]);
    assert.equal(best.code, 0, best.stderr);
    assert.match(best.stdout, /"lr": 0\.1/);
  });

  it("wandb.init(config=defaults) inside the function: the sweep's values win, defaults fill the rest", async () => {
    const o = await sweepWandb("init_defaults.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed"]);
    for (const t of o.trials) {
      assert.deepEqual(metricOf(o, t, "lr_seen").map((m) => m.value), [t.params.lr, t.params.lr]);
      assert.deepEqual(metricOf(o, t, "hidden_seen").map((m) => m.value), [64, 64]);
    }
  });

  it("hyperband with max_iter, s and min_iter: bands 2 and 6 from max_iter, as W&B; a trial judged at its final report completes", async () => {
    const o = await sweepWandb("hyperband_max_iter.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "pruned", "completed", "pruned"], o.stderr);
    assert.deepEqual(o.trials.map((t) => t.pruneStep), [null, 2, null, 2]);
    assert.match(o.trials[1]!.pruneReason!, /band 1 \(iteration 2\)/);
    assert.ok(close(o.trials[2]!.value, 2 + 1 / 6));
  });

  it("summary writes stay out of the history: no sixth iteration, no prune at step 6; the summary is the trial's value", async () => {
    const o = await sweepWandb("summary_best.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "pruned", "completed"], o.stderr);
    assert.equal(o.trials[1]!.pruneStep, 2);
    assert.ok(close(o.trials[0]!.value, 0.9) && close(o.trials[2]!.value, 0.8), JSON.stringify(values(o)));
    for (const t of o.trials) assert.ok(metricOf(o, t, "val_pearson").every((m) => m.step <= 5));
    assert.deepEqual(o.metrics.filter((m) => m.name === "best_epoch"), []);
  });

  it("argparse + wandb.init(config=args) under `${args}`: --clip=1.0 --wd=0.0 --lr=1e-05, as the W&B agent writes them", async () => {
    const o = await sweepRun("argparse", `program: ${join(corpus, "argparse_init.py")}
method: grid
metric: {name: val_loss, goal: minimize}
parameters:
  clip: {values: [1.0, 2.5]}
  wd: {value: 0.0}
  lr: {value: 0.00001}
  epochs: {value: 2}
  layers: {value: [1, 2]}
  amp: {value: true}
command: ["\${env}", ${python}, "\${program}", "\${args}"]
`);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed"]);
    const seen = o.trials.map((t) => JSON.parse(readFileSync(join(t.logPath!, "argv.json"), "utf8")) as { argv: string[]; clip_type: string });
    assert.deepEqual(seen[0]!.argv, ["--clip=1.0", "--wd=0.0", "--lr=1e-05", "--epochs=2", "--layers=[1, 2]", "--amp=True"]);
    assert.deepEqual(seen[1]!.argv.slice(0, 3), ["--clip=2.5", "--wd=0.0", "--lr=1e-05"]);
    assert.equal(seen[0]!.clip_type, "float");
  });

  it("`${args_json}` is json.dumps of the parameters, floats as floats", async () => {
    const o = await sweepRun("argsjson", `program: ${join(corpus, "args_json.py")}
method: grid
metric: {name: val_loss}
parameters:
  clip: {value: 1.0}
  lr: {values: [0.00001]}
  tag: {value: "é"}
command: ["\${env}", ${python}, "\${program}", "\${args_json}"]
`);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed"]);
    assert.equal(readFileSync(join(o.trials[0]!.logPath!, "args_json.txt"), "utf8"), '{"clip": 1.0, "lr": 1e-05, "tag": "\\u00e9"}');
  });

  it("wandb.config.update keeps the sweep's values unless allow_val_change=True; setdefaults fills gaps", async () => {
    const o = await sweepWandb("config_update.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed"]);
    for (const t of o.trials) {
      assert.deepEqual(metricOf(o, t, "lr_seen").map((m) => m.value), [t.params.lr, t.params.lr, t.params.lr]);
      assert.equal(metricOf(o, t, "scaled_lr")[0]!.value, (t.params.lr as number) * 10);
      assert.equal(metricOf(o, t, "batch_size")[0]!.value, 32);
    }
    assert.match(readFileSync(join(o.trials[0]!.logPath!, "attempt-1.stderr.log"), "utf8"), /config 'lr' is set by the sweep \(0\.5\); ignored update to 999\.0/);
  });

  it("log(step=, commit=False) then log(step=): one row per epoch with both values", async () => {
    const o = await sweepWandb("log_step_commit.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed"]);
    for (const t of o.trials) {
      assert.deepEqual(metricOf(o, t, "val_loss").map((m) => m.step), [1, 2, 3, 4]);
      assert.deepEqual(metricOf(o, t, "train_loss").map((m) => m.step), [1, 2, 3, 4]);
      const dropout = t.params.dropout as number;
      assert.ok(dropout >= 0 && dropout <= 0.5);
    }
  });

  it("media, tables, histograms and plots are accepted and dropped quietly; the numbers arrive", async () => {
    const o = await sweepWandb("media_objects.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed"]);
    assert.ok(close(o.trials[0]!.value, 1 / 6));
    assert.doesNotMatch(o.stderr, /not a number|not supported|Traceback/);
  });

  it("run.name = ...; run.save(), run.dir, run.id, get_url(), log_code(), wandb.save(): files land in the trial folder", async () => {
    const o = await sweepWandb("run_save.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed"]);
    const text = readFileSync(join(o.trials[0]!.logPath!, "model.ckpt"), "utf8");
    assert.equal(text, `lr-0.2 ${o.trials[0]!.id} corpus-files ${o.sweepId}\n`);
  });

  it("wandb.Settings, wandb.alert, wandb.Artifact, log_artifact and use_artifact are accepted offline", async () => {
    const o = await sweepWandb("settings_alert_artifact.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed"]);
    assert.equal(o.trials[0]!.value, 0.5);
  });

  it("define_metric(summary='min') makes the summary, and so the trial's value, the minimum", async () => {
    const o = await sweepWandb("define_metric_summary.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(values(o), [0.2, 0.4]);
    assert.deepEqual(metricOf(o, o.trials[0]!, "val_loss").map((m) => m.value), [0.5, 0.3, 0.2, 0.4]);
  });

  it("nested parameters reach wandb.config as a dict", async () => {
    const o = await sweepWandb("nested_params.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed"]);
    assert.deepEqual(o.trials.map((t) => t.params["optimizer.name"]), ["adam", "sgd"]);
    assert.deepEqual(values(o), [0.005, 0.01]);
  });

  it("`with wandb.init() as run`, a positional function and run_cap: 2 trials, then the sweep is finished", async () => {
    const o = await sweepWandb("context_manager_run_cap.py");
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed"]);
    o.trials.forEach((t) => assert.ok((t.params.lr as number) >= 1e-5 && (t.params.lr as number) <= 1e-1));
    assert.match(o.stderr, /run_cap/);
    assert.equal(o.sweepStatus, "finished");
  });

  it("an exception in the function fails that trial with its traceback; the other completes; exit 6", async () => {
    const o = await sweepWandb("crash_some.py");
    assert.equal(o.code, 6, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "failed"]);
    assert.match(o.trials[1]!.error!, /exited with code 1[\s\S]*ValueError: layers=3 is not supported by this model/);
  });

  it("an invalid wandb.sweep() config is refused before any trial, naming the key; exit 3", async () => {
    const ws = workspace();
    const result = await cli(ws, ["wandb", "--storage", ws.db, "--", python, join(corpus, "invalid_config.py")]);
    assert.equal(result.code, 3, result.stderr);
    assert.match(result.stderr, /parameters\.lr\.distribution: unknown distribution "log_uniform_value".*did you mean "log_uniform_values"/s);
    assert.doesNotMatch(result.stdout + result.stderr, /not reached|Traceback/);
  });

  it("four trials on four GPUs at once, each pinned to its own; the driver sees no GPU", async () => {
    const o = await sweepWandb("parallel_gpus.py", ["--gpus", "0,1,2,3"]);
    assert.equal(o.code, 0, o.stderr);
    assert.deepEqual(statuses(o), ["completed", "completed", "completed", "completed"]);
    const gpus = o.trials.map((t) => metricOf(o, t, "gpu")[0]!.value);
    assert.deepEqual([...gpus].sort(), [0, 1, 2, 3]);
    assert.deepEqual(o.trials.map((t) => t.gpus).sort(), ["0", "1", "2", "3"]);
    assert.equal(o.stdout.trim(), "module sees CUDA_VISIBLE_DEVICES=''");
    assert.match(readFileSync(join(o.trials[2]!.logPath!, "attempt-1.stdout.log"), "utf8"), /module sees CUDA_VISIBLE_DEVICES='\d'/);
  });

  it("summary.update and a last log(commit=False): no extra step, the open row is sent at the end, the summary is the value", async () => {
    const o = await sweepWandb("summary_update_commit.py");
    assert.equal(o.code, 0, o.stderr);
    const t = o.trials[0]!;
    assert.deepEqual(metricOf(o, t, "accuracy").map((m) => m.step), [1, 2, 3]);
    assert.deepEqual(metricOf(o, t, "test_accuracy").map((m) => m.step), [4]);
    assert.ok(close(t.value, 0.61));
    assert.deepEqual(o.metrics.filter((m) => m.name === "epochs_done"), []);
  });

  it("running the script again continues the sweep it created; --new-sweep starts another", async () => {
    const ws = workspace();
    const first = await sweepWandb("rerun_continue.py", ["--gpus", "0", "--seed", "3"], ws);
    const second = await sweepWandb("rerun_continue.py", ["--gpus", "0"], ws);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.sweepId, first.sweepId);
    assert.match(second.stderr, /found again/);
    assert.deepEqual(statuses(second), ["completed", "completed"]);
    assert.match(second.stdout, new RegExp(`sweep id ${first.sweepId}`));
    const fresh = await sweepWandb("rerun_continue.py", ["--gpus", "0", "--new-sweep"], ws);
    assert.notEqual(fresh.sweepId, first.sweepId);
    assert.equal(fresh.trials.length, 1);
  });

  it("Ctrl-C during wandb.agent() finishes the running trial and exits 130; `sweep resume` runs the rest of the grid", async () => {
    const ws = workspace();
    const interrupted = await cli(ws, ["wandb", "--storage", ws.db, "--gpus", "0", "--", python, join(corpus, "interrupt_resume.py")], {
      detached: true,
      // As a terminal does: SIGINT to the whole foreground process group (controller and driver).
      onSpawn: (pid) => setTimeout(() => process.kill(-pid, "SIGINT"), 300),
    });
    const o = await collect(ws, interrupted);
    assert.equal(interrupted.code, 130, interrupted.stderr);
    assert.match(interrupted.stderr, /Ctrl \+ C detected/);
    assert.match(interrupted.stdout, /after wandb\.agent\(\)/);
    assert.deepEqual(statuses(o), ["completed"], interrupted.stderr);
    const resumed = await cli(ws, ["resume", o.sweepId, "--storage", ws.db]);
    assert.equal(resumed.code, 0, resumed.stderr);
    const after = await collect(ws, resumed, o.sweepId);
    assert.deepEqual(statuses(after), ["completed", "completed", "completed"]);
    assert.deepEqual(after.trials.map((t) => t.value), [1 / 3, 2 / 3, 1]);
  });
});

describe("the shim outside a controller", () => {
  it("wandb.sweep and wandb.agent say how to run the script; supported calls work offline", () => {
    const script = `
import wandb
run = wandb.init(settings=wandb.Settings(mode="offline"))
run.name = "x"; run.save(); wandb.log({"img": wandb.Image(None), "loss": 1.0}); wandb.save("*.pt")
print(run.get_url(), hasattr(wandb, "Api"))
for call in (lambda: wandb.sweep({"method": "grid"}), lambda: wandb.agent("abc", function=print)):
    try:
        call()
    except NotImplementedError as error:
        print(error)
`;
    const result = spawnSync(python, ["-c", script], {
      env: { ...process.env, PYTHONPATH: [wandbShimDir, pythonClientDir].join(delimiter) },
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split("\n");
    assert.equal(lines[0], "None False");
    assert.match(lines[1]!, /^wandb\.sweep\(\) needs a sweep controller: run the script with `sweep wandb -- python -c`/);
    assert.match(lines[2]!, /^wandb\.agent\(\) needs a sweep controller/);
  });
});
