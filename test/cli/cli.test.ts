import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createSweep } from "../../src/study/index.js";
import { openStorage } from "../../src/storage/index.js";
import { cliMain, repoRoot } from "../helpers/paths.js";

function sweepCli(args: string[], cwd = repoRoot) {
  const r = spawnSync(process.execPath, [cliMain, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "sweep-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("sweep CLI basics", () => {
  test("--help lists the commands and exit codes", () => {
    const r = sweepCli(["--help"]);
    assert.equal(r.code, 0);
    for (const cmd of ["validate", "ls", "show"]) assert.match(r.stdout, new RegExp(`sweep ${cmd}`));
    assert.match(r.stdout, /Exit codes/);
  });

  test("--version prints the package version", () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    const r = sweepCli(["--version"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), version);
  });

  test("an unknown command is a usage error (exit 2) with a suggestion", () => {
    const r = sweepCli(["valdate", "x.yaml"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /validate/);
  });
});

describe("sweep validate", () => {
  test("the seeds' koelectra sweep validates and prints its space", () => {
    const r = sweepCli(["validate", "sweeps/koelectra.yaml"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /valid/);
    for (const name of ["lr", "optimizer", "batch_size", "epochs"]) assert.match(r.stdout, new RegExp(`\\b${name}\\b`));
    assert.match(r.stdout, /hyperband/);
    assert.match(r.stdout, /maximize val_pearson/);
  });

  test("an invalid file exits 3 and names file, line, key path, expected and found", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      ["method: random", "metric:", "  name: val_pearson", "  goal: maximise", "parameters:", "  lr:", "    min: abc", "    max: 1e-4", "  batch_size:", "    valuse: [16, 32]", ""].join("\n"),
    );
    const r = sweepCli(["validate", file]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /bad\.yaml:4:\d+ .*metric\.goal/);
    assert.match(r.stderr, /bad\.yaml:7:\d+ .*parameters\.lr\.min/);
    assert.match(r.stderr, /abc/);
    assert.match(r.stderr, /bad\.yaml:10:\d+ .*parameters\.batch_size\.valuse/);
    assert.match(r.stderr, /did you mean "values"/);
  });

  test("--format json gives diagnostics as data", () => {
    const file = join(dir, "bad2.yaml");
    writeFileSync(file, "method: randm\nparameters:\n  x: {values: [1]}\n");
    const r = sweepCli(["validate", "--format", "json", file]);
    assert.equal(r.code, 3);
    const [result] = JSON.parse(r.stdout) as { valid: boolean; diagnostics: { path: string; line: number }[] }[];
    assert.equal(result?.valid, false);
    assert.ok(result?.diagnostics.some((d) => d.path === "method" && d.line === 1));
  });
});

describe("sweep ls and show", () => {
  const db = join(dir, "sweeps.db");
  let sweepId = "";
  before(async () => {
    const storage = await openStorage(db);
    const sweep = await createSweep({
      storage,
      config: {
        name: "monologg/koelectra-base-v3-discriminator",
        method: "grid",
        metric: { name: "val_pearson", goal: "maximize" },
        parameters: { lr: { values: [1e-5, 3e-5, 5e-5] }, batch_size: { values: [16, 32] } },
      },
    });
    sweepId = sweep.id;
    for (const value of [0.81, 0.86]) {
      const t = (await sweep.ask({ worker: "test" }))!;
      await sweep.report(t, 1, { val_pearson: value });
      await sweep.tell(t, { state: "completed" });
    }
    const failed = (await sweep.ask())!;
    await sweep.tell(failed, { state: "failed", error: "CUDA out of memory", exitCode: 1 });
    await storage.close();
  });

  test("ls shows the sweep with counts and best value", () => {
    const r = sweepCli(["ls", "--storage", db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(sweepId));
    assert.match(r.stdout, /2 completed, 1 failed/);
    assert.match(r.stdout, /0\.86/);
    const json = JSON.parse(sweepCli(["ls", "--storage", db, "--format", "json"]).stdout) as { id: string; best: { value: number } }[];
    assert.equal(json[0]?.id, sweepId);
    assert.equal(json[0]?.best.value, 0.86);
  });

  test("show lists trials with status, value, params and the failure cause", () => {
    const r = sweepCli(["show", sweepId, "--storage", db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /best\s+0\.86 \(trial 1\)/);
    assert.match(r.stdout, /CUDA out of memory/);
    assert.match(r.stdout, /batch_size/);
    const json = JSON.parse(sweepCli(["show", sweepId, "--storage", db, "--format", "json"]).stdout) as {
      trials: { number: number; status: string; params: Record<string, unknown>; value: number | null }[];
    };
    assert.deepEqual(json.trials.map((t) => t.status), ["completed", "completed", "failed"]);
    assert.deepEqual(json.trials[0]?.params, { lr: 1e-5, batch_size: 16 });
  });

  test("an unknown sweep id exits 4; a missing storage file exits 4 without creating it", () => {
    assert.equal(sweepCli(["show", "nosuchid", "--storage", db]).code, 4);
    const missing = join(dir, "nope", "missing.db");
    const r = sweepCli(["ls", "--storage", missing]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /no storage at/);
  });
});

describe("storage problems", () => {
  test("a storage that cannot be used exits 8 with the reason, not a stack trace", () => {
    const notOurs = join(dir, "not-sqlite.db");
    writeFileSync(notOurs, "this is not an SQLite database, just text\n".repeat(20));
    const r = sweepCli(["ls", "--storage", notOurs]);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /not-sqlite\.db/);
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
    const scheme = sweepCli(["ls", "--storage", "mongodb://localhost/x"]);
    assert.equal(scheme.code, 8);
    assert.match(scheme.stderr, /unknown scheme 'mongodb:\/\/'/);
  });
});
