/**
 * A relative `program:` (issue #16): looked for in the sweep file's folder first, then in the current
 * directory (W&B's rule); `validate` and `run` refuse a program that is in neither, before anything is stored;
 * `resume` from another folder still finds it; the trainer's working directory is the caller's.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { fakeTrainer, sweepIdFrom, Workspace } from "./harness.js";

const ws = new Workspace();
after(() => ws.dispose());
const bin = join(packageRoot, "bin", "sweep.js");

function sweep(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [bin, ...args, "--storage", ws.db], { cwd, env: ws.env(), encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A project: project/trainers/fake.mjs and a sweep file in project/sweeps/ naming it `program`. */
function project(name: string, program: string): { root: string; file: string } {
  const root = join(ws.dir, name);
  mkdirSync(join(root, "trainers"), { recursive: true });
  mkdirSync(join(root, "sweeps"), { recursive: true });
  copyFileSync(fakeTrainer, join(root, "trainers", "fake.mjs"));
  const file = join(root, "sweeps", "s.yaml");
  writeFileSync(file, `program: ${program}\nmethod: grid\nparameters:\n  x: {values: [1, 2, 3]}\n  epochs: {value: 1}\n  epoch_ms: {value: 1}\n`);
  return { root, file };
}

test("a program relative to the sweep file's folder runs from any folder, and resume elsewhere finds it too", () => {
  const { file } = project("p1", "../trainers/fake.mjs");
  const elsewhere = join(ws.dir, "elsewhere");
  mkdirSync(elsewhere);
  assert.equal(sweep(["validate", file], elsewhere).code, ExitCode.ok);

  const first = sweep(["run", file, "--gpus", "none", "--count", "1"], elsewhere);
  assert.equal(first.code, ExitCode.ok, first.stderr);
  const id = sweepIdFrom(first.stderr);
  const resumed = sweep(["resume", id, "--gpus", "none"], "/");
  assert.equal(resumed.code, ExitCode.ok, resumed.stderr);

  const records = ws.trainerRecords();
  assert.deepEqual(records.map((r) => r.number), [0, 1, 2]);
  // The trainer runs where the command was given (as under W&B), not in the sweep file's folder.
  assert.deepEqual(records.map((r) => (r as unknown as { cwd: string }).cwd), [elsewhere, "/", "/"]);
});

test("W&B's rule still holds: a program relative to the current directory runs from there", () => {
  const { root, file } = project("p2", "trainers/fake.mjs");
  const run = sweep(["run", file, "--gpus", "none", "--count", "1"], root);
  assert.equal(run.code, ExitCode.ok, run.stderr);
  assert.match(sweep(["show", sweepIdFrom(run.stderr), "--format", "json"], root).stdout, /"completed"/);
});

test("validate and run refuse a program that is nowhere, naming the file, line and both places looked in", () => {
  const { root, file } = project("p3", "../trainers/fak.mjs");
  // Sweeps in the shared database, by id: the earlier tests' sweeps are there already.
  const stored = () => (existsSync(ws.db) ? (JSON.parse(sweep(["ls", "--format", "json"], root).stdout) as { id: string }[]).map((r) => r.id) : []);
  const before = stored();
  for (const args of [["validate", file], ["run", file, "--gpus", "none"]]) {
    const r = sweep(args, root);
    assert.equal(r.code, ExitCode.invalidConfig, r.stderr);
    assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, "\\.")}:1:10 program: program "\\.\\./trainers/fak\\.mjs" is not a file`));
    assert.match(r.stderr, /looked for .*p3\/trainers\/fak\.mjs \(sweep file folder\), then .*\(current directory\)/);
    assert.match(r.stderr, /trainers\/fake\.mjs/, "the near miss is suggested");
  }
  // (This used to look for "p3" in ls's output, which a random sweep id of an earlier test could contain.)
  assert.deepEqual(stored(), before, "nothing stored");
});

test("a missing program does not hide the file's other problems: validate lists them all at once", () => {
  const file = join(ws.dir, "two-problems.yaml");
  writeFileSync(file, "program: missing.py\nmethod: bayes\nmetric: {name: loss, goal: minimize}\nparameters:\n  x: {min: 0.0, max: 1.0}\nsweep:\n  sampler: {type: gp, n_startup_trial: 5}\n");
  const r = sweep(["validate", file], ws.dir);
  assert.equal(r.code, ExitCode.invalidConfig, r.stderr);
  assert.match(r.stderr, /invalid \(2 errors\)/);
  assert.match(r.stderr, /:1:10 program: program "missing\.py" is not a file/);
  assert.match(r.stderr, /:7:\d+ sweep\.sampler: unknown GP option "n_startup_trial"/);
});

test("a command that does not use ${program} is not checked for it", () => {
  const file = join(ws.dir, "no-program.yaml");
  writeFileSync(file, `program: missing.py\ncommand:\n  - \${env}\n  - node\n  - ${fakeTrainer}\n  - \${args}\nmethod: grid\nparameters:\n  x: {values: [1]}\n  epochs: {value: 1}\n`);
  assert.equal(sweep(["validate", file], ws.dir).code, ExitCode.ok);
});
