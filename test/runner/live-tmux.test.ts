/**
 * The live view in a real terminal: `sweep run` inside a tmux pane (Debian's tmux), its screen captured
 * (`tmux capture-pane -p`) at several moments: while four trials run, after two finished, after the pane got
 * narrower, and at the end. The sweep's name and parameter values are Korean, so every check of the layout is
 * also a check of display widths. Trials wait at a gate (FAKE_TRAINER_GATE_DIR) until the test lets them end,
 * so each moment is reached by condition, never by timing. The test runs its own tmux server on a private
 * socket (-L) and kills only that server.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { displayWidth } from "../../src/runner/live/text-width.js";
import { cliMain } from "../helpers/paths.js";
import { Workspace } from "./harness.js";

const hasTmux = spawnSync("tmux", ["-V"], { encoding: "utf8" }).status === 0;
const COLUMNS = 100;
const NARROW = 60;
const KOREAN_MODEL = "한국어-모델-베이스";
const KOREAN_DATASET = "네이버-영화-리뷰-감성분석-데이터셋-v2";

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

describe("the live view in a tmux pane", { skip: hasTmux ? false : "tmux is not installed (Debian package tmux; .ci/run installs it)" }, () => {
  const ws = new Workspace();
  const gate = join(ws.dir, "gate");
  const socket = `sweep-live-${process.pid}-${Date.now().toString(36)}`;
  const tmux = (...args: string[]) => {
    const r = spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8", env: tmuxEnv });
    if (r.status !== 0) throw new Error(`tmux ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  let tmuxEnv: NodeJS.ProcessEnv = {};

  /** The pane as text; `join` glues lines the terminal wrapped back together. */
  const capture = (join = false, history = false) => tmux("capture-pane", "-p", "-t", "live", ...(join ? ["-J"] : []), ...(history ? ["-S", "-"] : []));

  /** Polls the pane until `ready` holds for it (generous deadline: the machine may be loaded). */
  async function screenWhen(what: string, ready: (screen: string) => boolean, opts: { join?: boolean } = {}): Promise<string> {
    const deadline = Date.now() + 90_000;
    let screen = "";
    for (;;) {
      screen = capture(opts.join);
      if (ready(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the pane shows:\n${screen}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The live block: from its header line to the last non-empty line. */
  function block(screen: string): string[] {
    const lines = screen.split("\n");
    const start = lines.findIndex((l) => /^sweep [a-z0-9]{8} \(한국어 스윕\)/.test(l));
    assert.ok(start >= 0, `no live block in:\n${screen}`);
    let end = lines.length;
    while (end > start && lines[end - 1]!.trim() === "") end--;
    return lines.slice(start, end);
  }

  /** Every line of the block is one of its own kinds: a line the terminal had to wrap would be a stray fragment. */
  function assertWellFormed(lines: readonly string[], columns: number): void {
    const kinds = [
      /^sweep [a-z0-9]{8} \(한국어 스윕\)/,
      /^\[#*-*\] {2}\d+ of 8 done {2}elapsed \d+(m\d\ds|s) {2}ETA (—|\d)/,
      /^completed \d+ {2}pruned \d+ {2}failed \d+ {2}running \d+/,
      /^best: /,
      /^ {4}\S/,
      /^GPU +TRIAL +STEP +score +ELAPSED +PARAMS$/,
      /^(GPU \d|     ) +(#\d+ +[-\d]+ +[-\d.]+ +\d+(m\d\ds|s) +model=|idle$)/,
    ];
    for (const line of lines) {
      assert.ok(displayWidth(line) <= columns - 1, `${JSON.stringify(line)} takes ${displayWidth(line)} cells of ${columns}`);
      assert.ok(kinds.some((k) => k.test(line)), `unexpected line ${JSON.stringify(line)} in the block:\n${lines.join("\n")}`);
    }
    assert.equal(lines.filter((l) => /^sweep [a-z0-9]{8} /.test(l)).length, 1, `one header:\n${lines.join("\n")}`);
    assert.equal(lines.filter((l) => /^completed \d+ /.test(l)).length, 1, `one counts line:\n${lines.join("\n")}`);
  }

  /** Table rows: the PARAMS column starts at the same cell on every row, Korean model name or not. */
  function assertRowsAligned(lines: readonly string[]): string[] {
    const rows = lines.filter((l) => /#\d+ /.test(l));
    const starts = new Set(rows.map((r) => displayWidth(r.slice(0, r.indexOf("model=")))));
    assert.equal(starts.size, 1, `PARAMS column not aligned:\n${rows.join("\n")}`);
    return rows;
  }

  before(() => {
    mkdirSync(gate);
    const file = ws.sweepFile(
      "korean",
      [
        "name: 한국어 스윕",
        "method: grid",
        "metric: {name: score, goal: maximize}",
        "parameters:",
        `  model: {values: ["${KOREAN_MODEL}", "klue/roberta-large"]}`,
        `  dataset: {value: "${KOREAN_DATASET}"}`,
        "  learning_rate: {values: [0.000123456789, 0.00031622776601683794]}",
        "  x: {values: [0, 10]}",
        "  epochs: {value: 2}",
        "  epoch_ms: {value: 30}",
        "",
      ].join("\n"),
    );
    tmuxEnv = { ...ws.env({ FAKE_TRAINER_GATE_DIR: gate, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" }) };
    delete tmuxEnv.TMUX;
    const command = [process.execPath, cliMain, "run", file, "--storage", ws.db, "--gpus", "0,1", "--trials-per-gpu", "2"].map(shellQuote).join(" ");
    // The shell stays after the run, so its last screen and exit status can be read; kill-server ends it.
    tmux("-f", "/dev/null", "new-session", "-d", "-s", "live", "-x", String(COLUMNS), "-y", "40", `cd ${shellQuote(ws.dir)} && ${command}; echo "EXIT=$?"; exec sleep 3600`);
  });

  after(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"], { env: tmuxEnv });
    ws.dispose();
  });

  it("shows four running trials grouped per GPU, the counts, an empty bar and no ETA yet", async () => {
    const screen = await screenWhen("four trials at step 2", (s) => /running 4/.test(s) && (s.match(/#\d+ +2 +\d+ /g) ?? []).length === 4);
    const lines = block(screen);
    assertWellFormed(lines, COLUMNS);
    assert.match(lines[1]!, /^\[-+\] {2}0 of 8 done {2}elapsed \d+s {2}ETA —$/);
    assert.equal(lines[2], "completed 0  pruned 0  failed 0  running 4");
    assert.equal(lines[3], "best: -");
    // Grouped per GPU: the two slots of GPU 0, then the two of GPU 1.
    const rows = assertRowsAligned(lines);
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /^GPU 0 /);
    assert.match(rows[1]!, /^ {5} /);
    assert.match(rows[2]!, /^GPU 1 /);
    assert.match(rows[3]!, /^ {5} /);
    // Too long for the row: the names are cut in their middle, by display cells, both ends readable.
    assert.ok(rows.every((r) => /model=한국\S*…\S*스 dataset=네이\S*…\S*v2 /.test(r)), rows.join("\n"));
  });

  it("prints finished trials above the block, and moves the counts, the bar and the ETA", async () => {
    writeFileSync(join(gate, "go-0"), "");
    writeFileSync(join(gate, "go-1"), "");
    const screen = await screenWhen("two completed, four running", (s) => /completed 2 {2}pruned 0 {2}failed 0 {2}running 4/.test(s) && (s.match(/#\d+ +2 +\d+ /g) ?? []).length === 4);
    const all = screen.split("\n");
    const header = all.findIndex((l) => /^sweep [a-z0-9]{8} /.test(l));
    const finished = all.map((l, i) => [l, i] as const).filter(([l]) => /^trial [01] completed, value \d+ \(\d+(m\d\ds|s) on GPU [01]\): model=/.test(l));
    assert.equal(finished.length, 2, screen);
    assert.ok(finished.every(([, i]) => i < header), `finished trials not above the block:\n${screen}`);
    const lines = block(screen);
    assertWellFormed(lines, COLUMNS);
    assertRowsAligned(lines);
    assert.match(lines[1]!, /^\[#{2,}-+\] {2}2 of 8 done {2}elapsed \d+(m\d\ds|s) {2}ETA \d+(m\d\ds|s)$/);
    // The best trial's parameters, every one of them in full.
    const best = lines.filter((l) => /^best: |^ {4}\S/.test(l)).map((l) => l.trim()).join(" ");
    assert.equal(best, `best: trial 1 score=12  model=${KOREAN_MODEL} dataset=${KOREAN_DATASET} learning_rate=0.000123456789 x=10 epochs=2 epoch_ms=30`);
  });

  it("lays the block out again when the pane gets narrower, leaving no trace of the wider one", async () => {
    tmux("resize-window", "-t", "live", "-x", String(NARROW));
    const screen = await screenWhen("the block at 60 columns", (s) => {
      const lines = s.split("\n");
      const bar = lines.find((l) => /^\[[#-]+\] /.test(l));
      return bar !== undefined && displayWidth(bar) <= NARROW - 1 && lines.some((l) => /^best: /.test(l));
    });
    const lines = block(screen);
    assertWellFormed(lines, NARROW);
    assert.equal(screen.split("\n").filter((l) => /^\[[#-]+\] /.test(l)).length, 1, screen);
    const best = lines.filter((l) => /^best: |^ {4}\S/.test(l)).map((l) => l.trim()).join(" ");
    // Wrapped over more lines now, still whole.
    assert.equal(best, `best: trial 1 score=12  model=${KOREAN_MODEL} dataset=${KOREAN_DATASET} learning_rate=0.000123456789 x=10 epochs=2 epoch_ms=30`);
    assert.ok(lines.filter((l) => /^ {4}\S/.test(l)).length >= 2, lines.join("\n"));
  });

  it("ends with the summary: every trial done and the best trial's parameters in full", async () => {
    writeFileSync(join(gate, "go-all"), "");
    const screen = await screenWhen("the end", (s) => /EXIT=\d+/.test(s), { join: true });
    assert.match(screen, /EXIT=0/);
    assert.match(screen, /sweep [a-z0-9]{8} ended: grid exhausted.*; 8 of 8 done: 8 completed, 0 running; elapsed \d+(m\d\ds|s)\n/);
    assert.match(screen, new RegExp(`best: trial 1 score=12 \\(model=${KOREAN_MODEL} dataset=${KOREAN_DATASET} learning_rate=0\\.000123456789 x=10 epochs=2 epoch_ms=30\\)\\n`));
    // The block is gone from the screen: no bar, no table.
    assert.doesNotMatch(screen, /^\[[#-]+\] /m);
    assert.doesNotMatch(screen, /TRIAL +STEP/);
    // Every trial left its line in the scrollback.
    const history = capture(true, true);
    for (let n = 0; n < 8; n++) assert.equal((history.match(new RegExp(`^trial ${n} completed, value (2|12) `, "gm")) ?? []).length, 1, `trial ${n}:\n${history}`);
  });
});
