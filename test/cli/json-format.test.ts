/**
 * One JSON convention (docs/cli.md, "JSON output"), through the real CLI in child processes: every command that
 * prints results takes `--format json`, its output parses, and every key in it is snake_case (the workspace's
 * parameter and metric names are snake_case too, so every key is checked); `run --json` still works as the
 * deprecated spelling; `best -o FILE`; numeric flags name the flag and echo what was typed.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { isSnakeCase, snakeCase, snakeCaseKeys } from "../../src/json-keys.js";
import { CliWorkspace, type CliResult } from "./workspace.js";

const ws = new CliWorkspace();
before(() => ws.setUp());
after(() => ws.dispose());

/**
 * Every key of a parsed document that is not snake_case, with its path (`[0].trials[1].startedAt`). `dotted`:
 * export's flat column names (`params.lr`, `metrics.val_loss.best`), whose every segment must be snake_case.
 */
function badKeys(value: unknown, path = "", dotted = false): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => badKeys(v, `${path}[${i}]`, dotted));
  if (value === null || typeof value !== "object") return [];
  const good = (k: string) => (dotted ? k.split(".").every(isSnakeCase) : isSnakeCase(k));
  return Object.entries(value).flatMap(([k, v]) => [...(good(k) ? [] : [`${path}.${k}`]), ...badKeys(v, `${path}.${k}`, dotted)]);
}

function ok(label: string, r: CliResult): void {
  assert.equal(r.code, 0, `${label}: exit ${r.code}\n${r.stderr}`);
}

/** One JSON document on stdout, snake_case throughout. */
function document(label: string, r: CliResult, dotted = false): unknown {
  ok(label, r);
  const parsed = JSON.parse(r.stdout) as unknown;
  assert.deepEqual(badKeys(parsed, "", dotted), [], `${label}: keys not in snake_case`);
  return parsed;
}

/** JSON Lines on stdout (the runner's events), snake_case throughout. */
function events(label: string, r: CliResult): { event: string; [key: string]: unknown }[] {
  ok(label, r);
  const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string });
  assert.ok(lines.length > 0, `${label}: no events`);
  assert.deepEqual(badKeys(lines), [], `${label}: keys not in snake_case`);
  return lines;
}

describe("--format json on every command, keys in snake_case", () => {
  test("run, run --json (deprecated), resume, agent: JSON Lines events", async () => {
    const run = events("run", await ws.spawn(["run", ws.sweepFile, "--gpus", "none", "--format", "json"]));
    assert.deepEqual([...new Set(run.map((e) => e.event))], ["sweep_started", "trial_started", "trial_metrics", "trial_finished", "sweep_finished"]);
    assert.equal(typeof run[0]!.sweep_id, "string");
    assert.equal(typeof run.find((e) => e.event === "trial_finished")!.elapsed_ms, "number");

    const legacy = await ws.spawn(["run", ws.sweepFile, "--gpus", "none", "--json"]);
    assert.deepEqual(events("run --json", legacy).map((e) => e.event), run.map((e) => e.event));
    assert.match(legacy.stderr, /--json is deprecated; use --format json/);

    events("resume", await ws.spawn(["resume", ws.finishedId, "--gpus", "none", "--format", "json"]));
    events("agent", await ws.spawn(["agent", ws.pendingId, "--gpus", "none", "--format", "json"]));

    for (const [args, says] of [
      [["--quiet", "--format", "json"], /--quiet and --format json cannot be combined/],
      [["--json", "--format", "text"], /--json and --format text contradict each other/],
      [["--format", "xml"], /--format "xml" is not one of text, json/],
    ] as const) {
      const r = await ws.spawn(["run", ws.sweepFile, "--gpus", "none", ...args]);
      assert.equal(r.code, ExitCode.usage, r.stderr);
      assert.match(r.stderr, says);
      assert.equal(r.stdout, "");
    }
  });

  test("ls, show, best, export, validate, report, stop, rm: one JSON document each", async () => {
    const ls = document("ls", await ws.spawn(["ls", "--format", "json"])) as { id: string; created_at: string }[];
    assert.ok(ls.some((s) => s.id === ws.finishedId) && typeof ls[0]!.created_at === "string");
    const show = document("show", await ws.spawn(["show", ws.finishedId, "--format", "json"])) as { trials: { duration_seconds: number; params: object }[] };
    assert.deepEqual(Object.keys(show.trials[0]!.params), ["x", "epochs", "epoch_ms"]);
    const best = document("best", await ws.spawn(["best", ws.finishedId, "--format", "json"])) as { goal_source: string; rows: { sweep_id: string }[] };
    assert.equal(best.rows[0]!.sweep_id, ws.finishedId);
    const exported = document("export", await ws.spawn(["export", ws.finishedId, "--format", "json"]), true) as Record<string, unknown>[];
    assert.equal(exported.length, 2);
    assert.equal(typeof exported[0]!["params.epoch_ms"], "number");
    const jsonl = await ws.spawn(["export", ws.finishedId, "--format", "jsonl"]);
    ok("export jsonl", jsonl);
    assert.deepEqual(badKeys(jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l) as unknown), "", true), []);
    document("validate", await ws.spawn(["validate", ws.sweepFile, "--format", "json"]));
    const invalid = await ws.spawn(["validate", ws.badFile, "--format", "json"]);
    assert.equal(invalid.code, ExitCode.invalidConfig);
    assert.deepEqual(badKeys(JSON.parse(invalid.stdout)), []);
    const report = document("report", await ws.spawn(["report", ws.finishedId, "-o", "out/r.html", "--format", "json"])) as { output: string; sweep_id: string };
    assert.deepEqual(report, { sweep_id: ws.finishedId, output: "out/r.html", trials: 2 });
    assert.ok(existsSync(join(ws.dir, "out", "r.html")));
    const stop = document("stop", await ws.spawn(["stop", ws.finishedId, "--format", "json"]));
    assert.deepEqual(stop, { sweep_id: ws.finishedId, previous_status: "finished", stopped: false, running_trials: [], waited: false, slurm_jobs_cancelled: [] });
    const rm = document("rm", await ws.spawn(["rm", ws.finishedId, "--yes", "--format", "json"])) as { removed: boolean; trials: number };
    assert.deepEqual([rm.removed, rm.trials], [true, 2]);
    ws.restore();
  });
});

describe("best -o FILE", () => {
  test("writes what stdout would get, in every format; stdout stays empty", async () => {
    for (const format of ["json", "csv", "table"]) {
      const printed = await ws.spawn(["best", ws.finishedId, "--format", format]);
      ok(`best --format ${format}`, printed);
      const file = join(ws.outDir, `best.${format}`);
      writeFileSync(file, "old content that is replaced\n"); // overwritten, as export -o and report -o do
      const written = await ws.spawn(["best", ws.finishedId, "--format", format, "-o", `out/best.${format}`]);
      ok(`best -o (${format})`, written);
      assert.equal(written.stdout, "");
      assert.match(written.stderr, /wrote 1 row\(s\) to out\/best\./);
      assert.equal(readFileSync(file, "utf8"), printed.stdout);
    }
    const long = await ws.spawn(["best", ws.finishedId, "--output", "out/long.json", "--format", "json"]);
    ok("best --output", long);
    assert.deepEqual(badKeys(JSON.parse(readFileSync(join(ws.outDir, "long.json"), "utf8"))), []);
    const missing = await ws.spawn(["best", ws.finishedId, "-o", "nowhere/best.json"]);
    assert.equal(missing.code, ExitCode.usage);
    assert.match(missing.stderr, /--output nowhere\/best.json: the folder .*nowhere does not exist/);
    ws.restore();
  });
});

describe("numeric flags say which flag and what was typed", () => {
  test("every whole-number flag refuses `abc` by name, never as NaN", async () => {
    const cases: [string[], string][] = [
      [["run", ws.sweepFile], "--count"],
      [["run", ws.sweepFile], "--seed"],
      [["run", ws.sweepFile], "--trials-per-gpu"],
      [["run", ws.sweepFile], "--gpus-per-trial"],
      [["run", ws.sweepFile], "--parallel"],
      [["run", ws.sweepFile], "--max-retries"],
      [["agent", ws.pendingId], "--count"],
      [["resume", ws.pendingId], "--run-cap"],
      [["resume", ws.pendingId], "--add"],
      [["best"], "--top"],
    ];
    for (const [command, flag] of cases) {
      const r = await ws.spawn([...command, flag, "abc"]);
      assert.equal(r.code, ExitCode.usage, `${command[0]} ${flag}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`${flag} "abc" is not a whole number; expected a whole number`), `${command[0]} ${flag}`);
      assert.doesNotMatch(r.stderr, /NaN/);
    }
    assert.deepEqual(ws.trainerRecords(), []);
  });
});

describe("snakeCaseKeys", () => {
  test("fields become snake_case; names a user chose stay as written", () => {
    assert.equal(snakeCase("durationSeconds"), "duration_seconds");
    assert.equal(snakeCase("pidStartTime"), "pid_start_time");
    assert.equal(snakeCase("epoch_ms"), "epoch_ms");
    const out = snakeCaseKeys({
      sweepId: "a",
      trial: { params: { learningRate: 1, nested: { batchSize: 2 } }, logPath: "p" },
      metrics: { valAcc: 0.5 },
      config: { run_cap: 3, parameters: { myParam: { distribution: "uniform", minValue: 1, parameters: { innerName: { value: 1 } } } }, sweep: { trialsPerGpu: 2, sampler: { nStartup: 3 } } },
      rows: [{ trialId: 1 }],
    });
    assert.deepEqual(out, {
      sweep_id: "a",
      trial: { params: { learningRate: 1, nested: { batchSize: 2 } }, log_path: "p" },
      metrics: { valAcc: 0.5 },
      config: { run_cap: 3, parameters: { myParam: { distribution: "uniform", min_value: 1, parameters: { innerName: { value: 1 } } } }, sweep: { trials_per_gpu: 2, sampler: { nStartup: 3 } } },
      rows: [{ trial_id: 1 }],
    });
  });
});
