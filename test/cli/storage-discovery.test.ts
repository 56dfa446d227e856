/**
 * Where the storage is (issue #16): `--storage`, then the sweep file's `sweep.storage`, then $SWEEP_STORAGE,
 * then the nearest `storage/sweeps.db` at or above the current folder; and `run --count N`, with a warning for
 * a sweep that has no end.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { Workspace, sweepIdFrom } from "../runner/harness.js";

const ws = new Workspace();
after(() => ws.dispose());
const bin = join(packageRoot, "bin", "sweep.js");

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e = ws.env();
  delete e.SWEEP_STORAGE;
  return { ...e, ...extra };
}

function sweep(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: opts.cwd ?? ws.dir, env: env(opts.env), encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("run --count N; the storage is found from a subfolder, through SWEEP_STORAGE, and --storage wins", () => {
  const file = ws.sweepFile("endless", "method: random\nparameters:\n  x: {min: 0.0, max: 1.0}\n  epochs: {value: 1}\n");
  const counted = sweep(["run", file, "--gpus", "none", "--count", "3"]);
  assert.equal(counted.code, ExitCode.ok, counted.stderr);
  assert.doesNotMatch(counted.stderr, /has no end/);
  const id = sweepIdFrom(counted.stderr);

  // From two folders down, the project's storage/sweeps.db is found, as git finds .git.
  const sub = join(ws.dir, "src", "models");
  mkdirSync(sub, { recursive: true });
  const below = sweep(["show", id, "--format", "json"], { cwd: sub });
  assert.equal(below.code, ExitCode.ok, below.stderr);
  assert.equal((JSON.parse(below.stdout) as { trials: unknown[] }).trials.length, 3);

  // From elsewhere: SWEEP_STORAGE; without it, a clear "no storage" that says how to name one.
  assert.match(sweep(["ls"], { cwd: "/", env: { SWEEP_STORAGE: ws.db } }).stdout, new RegExp(id));
  const nowhere = sweep(["ls"], { cwd: "/" });
  assert.equal(nowhere.code, ExitCode.notFound, nowhere.stderr);
  assert.match(nowhere.stderr, /no storage at storage\/sweeps\.db \(give the database of your sweeps with --storage PATH or SWEEP_STORAGE/);
  // The flag wins over the variable.
  const flag = sweep(["ls", "--storage", ws.db], { cwd: "/", env: { SWEEP_STORAGE: "/nonexistent/sweeps.db" } });
  assert.equal(flag.code, ExitCode.ok, flag.stderr);
  assert.match(flag.stdout, new RegExp(id));
});

test("a random sweep without run_cap or --count warns that it has no end", async () => {
  const file = ws.sweepFile("forever", "method: random\nparameters:\n  x: {min: 0.0, max: 1.0}\n  epochs: {value: 1}\n");
  const child = spawn(process.execPath, [bin, "run", file, "--gpus", "none", "--storage", join(ws.dir, "forever.db")], { cwd: ws.dir, env: env(), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let signalled = false;
  child.stderr!.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    // Once: a second SIGTERM could land after the controller removed its handlers on the way out.
    if (!signalled && /trial 0 started/.test(stderr)) {
      signalled = true;
      child.kill("SIGTERM");
    }
  });
  const [code] = (await once(child, "exit")) as [number | null];
  assert.match(stderr, /warning: this random sweep has no end \(no run_cap in .*forever\.yaml, no --count\): it runs until stopped/);
  assert.equal(code, ExitCode.terminated, stderr);
});
