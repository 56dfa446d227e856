/**
 * A sweep whose name, a parameter value and its metric name hold "\x1b[2J" (clear screen), BEL and a C1
 * control, run end to end with a trainer that also reports and prints them: no raw ESC/BEL/C1 byte may
 * reach stdout or stderr of run, ls, show, best or validate (issue #14).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { cliMain } from "../helpers/paths.js";

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const dir = mkdtempSync(join(tmpdir(), "sweep-controls-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, "storage", "sweeps.db");

function sweepCli(args: string[]) {
  const r = spawnSync(process.execPath, [cliMain, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertClean(label: string, r: { stdout: string; stderr: string }): void {
  for (const [stream, text] of [["stdout", r.stdout], ["stderr", r.stderr]] as const) {
    const match = RAW_CONTROL.exec(text);
    assert.equal(match, null, `${label}: raw control U+${match?.[0].charCodeAt(0).toString(16).padStart(4, "0")} on ${stream}:\n${JSON.stringify(text)}`);
  }
}

// Reports a metric whose name holds the controls, prints them on stderr, and fails when told to.
const trainer = `
import { createWriteStream } from "node:fs";
const params = JSON.parse(process.env.SWEEP_PARAMS);
const pipe = createWriteStream(null, { fd: Number(process.env.SWEEP_METRICS_FD) });
process.stderr.write("trainer output \\u001b[2J\\u0007\\n");
if (params.fail) {
  process.stderr.write("boom \\u001b[31m\\u0007 \\u009b2J\\n");
  process.exit(1);
}
pipe.write(JSON.stringify({ step: 1, "score\\u001b[2J\\u0007": params.opt === "sgd" ? 0.7 : 0.5, "loss\\u001b]0;title\\u0007": 1 }) + "\\n");
await new Promise((resolve) => pipe.end(resolve));
`;

const sweepFile = join(dir, "evil.yaml");
const sweepText = `name: "evil\\e[2J\\a\\x9b sweep"
method: grid
metric:
  name: "score\\e[2J\\a"
  goal: maximize
parameters:
  opt: {values: ["adam\\e[2J\\a\\x9b", sgd]}
  fail: {values: [false, true]}
program: ${join(dir, "trainer.mjs")}
`;

describe("control characters never reach the terminal raw", () => {
  let sweepId = "";
  let run: ReturnType<typeof sweepCli>;

  before(() => {
    writeFileSync(join(dir, "trainer.mjs"), trainer);
    writeFileSync(sweepFile, sweepText);
    run = sweepCli(["run", sweepFile, "--storage", db, "--gpus", "none"]);
    sweepId = /sweep ([a-z0-9]{8})/.exec(run.stderr)?.[1] ?? "";
  });

  it("run: progress lines, failures and the summary", () => {
    assert.equal(run.code, 6, run.stderr); // two of the four grid points fail on purpose
    assert.notEqual(sweepId, "");
    assertClean("run", run);
    assert.match(run.stderr, /\(evil\\x1b\[2J\\x07\\x9b sweep\)/);
    assert.match(run.stderr, /opt=adam\\x1b\[2J\\x07\\x9b/);
    // The metric's name in the final summary's best trial (metric reports print no line off a terminal).
    assert.match(run.stderr, /best: trial \d+ score\\x1b\[2J\\x07=0\.7/);
  });

  it("run --json and --log-format json", () => {
    const json = sweepCli(["run", sweepFile, "--storage", db, "--gpus", "none", "--json", "--log-format", "json"]);
    assertClean("run --json", json);
    const events = json.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string; name?: string });
    assert.equal(events[0]!.name, "evil\u001b[2J\u0007\u009b sweep");
  });

  it("ls", () => {
    const r = sweepCli(["ls", "--storage", db]);
    assert.equal(r.code, 0, r.stderr);
    assertClean("ls", r);
    assert.match(r.stdout, /evil\\x1b\[2J\\x07\\x9b sweep/);
    assert.match(r.stdout, /score\\x1b\[2J\\x07 \(max\)/);
    assertClean("ls --format json", sweepCli(["ls", "--storage", db, "--format", "json"]));
  });

  it("show", () => {
    const r = sweepCli(["show", sweepId, "--storage", db]);
    assert.equal(r.code, 0, r.stderr);
    assertClean("show", r);
    assert.match(r.stdout, /sweep [a-z0-9]{8}\s+evil\\x1b\[2J\\x07\\x9b sweep/);
    assert.match(r.stdout, /adam\\x1b\[2J\\x07\\x9b/);
    assertClean("show --format json", sweepCli(["show", sweepId, "--storage", db, "--format", "json"]));
  });

  it("best", () => {
    const r = sweepCli(["best", sweepId, "--storage", db]);
    assert.equal(r.code, 0, r.stderr);
    assertClean("best", r);
    assert.match(r.stdout, /best score\\x1b\[2J\\x07/);
    // CSV is data for files and is left as it is; JSON escapes control characters by itself.
    assertClean("best --format json", sweepCli(["best", sweepId, "--storage", db, "--format", "json"]));
  });

  it("best with a metric name given on the command line", () => {
    const r = sweepCli(["best", sweepId, "--storage", db, "--metric", "loss\u001b]0;title\u0007"]);
    assertClean("best --metric", r);
  });

  it("validate, valid and invalid", () => {
    const ok = sweepCli(["validate", sweepFile]);
    assert.equal(ok.code, 0, ok.stderr);
    assertClean("validate", ok);
    assert.match(ok.stdout, /name: +evil\\x1b\[2J\\x07\\x9b sweep/);
    assert.match(ok.stdout, /maximize score\\x1b\[2J\\x07/);
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, sweepText.replace("method: grid", 'method: "gr\\e[2Jid\\a"').replace("  goal: maximize", '  "go\\e]0;x\\aal": maximize'));
    const invalid = sweepCli(["validate", bad]);
    assert.equal(invalid.code, 3, invalid.stderr);
    assertClean("validate (invalid)", invalid);
    // Quoted values are JSON strings (\u001b), other text is escaped as \x1b.
    assert.match(invalid.stderr, /method: expected one of random, grid, bayes, found "gr\\u001b\[2Jid\\u0007"/);
    assert.match(invalid.stderr, /metric\.go\\x1b\]0;x\\x07al: unknown key/);
    assertClean("validate --format json", sweepCli(["validate", "--format", "json", bad]));
    assertClean("run (invalid)", sweepCli(["run", bad, "--storage", db]));
  });

  it("error messages quoting what the user typed", () => {
    const r = sweepCli(["show", "no\u001b[2Jsuch\u0007", "--storage", db]);
    assert.equal(r.code, 4);
    assertClean("show (not found)", r);
  });
});
