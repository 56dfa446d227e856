/**
 * Control characters from sweep files and trainers are escaped wherever text reaches a terminal: the
 * shared helper, tables, the runner's progress output, diagnostics and error messages (issue #14).
 */
import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import { printData } from "../../src/cli/context.js";
import { describeFailure } from "../../src/cli/errors.js";
import { ConfigError, formatDiagnostic, parseSweepConfig } from "../../src/config/index.js";
import { renderTable } from "../../src/report/table.js";
import { JsonReporter, LineReporter, TtyReporter, type RunnerEvent, type SweepTally } from "../../src/runner/progress.js";
import type { Slot } from "../../src/runner/slots.js";
import { SweepNotFoundError } from "../../src/study/index.js";
import { escapeControl, escapeControlInJson } from "../../src/terminal-text.js";

/** ESC, BEL, DEL or a C1 control, raw. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
const HOSTILE = "x\u001b[2J\u0007\u009b31m\u007fy";

describe("escapeControl", () => {
  it("shows C0, DEL and C1 controls as \\xNN and keeps printable text", () => {
    assert.equal(escapeControl(HOSTILE), "x\\x1b[2J\\x07\\x9b31m\\x7fy");
    assert.equal(escapeControl("a\r\nb\tc\u0000"), "a\\r\\nb\\tc\\x00");
    assert.equal(escapeControl("한국어 é \\x1b ok"), "한국어 é \\x1b ok");
  });

  it("keeps newlines and tabs when the layout allows, and is idempotent", () => {
    assert.equal(escapeControl("line 1\n\tline\u001b 2\r", { keepLayout: true }), "line 1\n\tline\\x1b 2\\r");
    assert.equal(escapeControl(escapeControl(HOSTILE)), escapeControl(HOSTILE));
  });

  it("makes JSON text terminal-safe without changing what it means", () => {
    const value = { name: HOSTILE, list: ["\u0085", "plain"] };
    const json = escapeControlInJson(JSON.stringify(value));
    assert.doesNotMatch(json, RAW_CONTROL);
    assert.deepEqual(JSON.parse(json), value);
  });
});

describe("terminal output escapes control characters", () => {
  it("renderTable escapes headers and cells, and measures the escaped text", () => {
    const table = renderTable([{ a: HOSTILE, b: 1 }, { a: "ok", b: 22 }], [
      { header: `name${"\u001b[2J"}`, value: (r) => r.a },
      { header: "n", value: (r) => r.b },
    ]);
    assert.doesNotMatch(table, RAW_CONTROL);
    const lines = table.split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines[0]!, /^name\\x1b\[2J/);
    assert.match(lines[1]!, /^x\\x1b\[2J\\x07\\x9b31m\\x7fy\s+1$/);
    // Columns line up on the escaped width (the numbers are right-aligned).
    assert.equal(lines[1]!.length, lines[2]!.length);
  });

  const slot: Slot = { index: 0, gpus: [], cudaVisibleDevices: "", label: "cpu0" };
  const trial = { id: 1, sweepId: "abcd1234", number: 0, attempt: 1, params: { opt: HOSTILE }, config: { opt: HOSTILE } };
  const tally: SweepTally = {
    counts: { queued: 0, running: 0, completed: 1, pruned: 0, failed: 1, interrupted: 0 },
    best: { number: 0, value: 0.5, params: { opt: HOSTILE } },
    metricName: `score${HOSTILE}`,
  };
  const events: RunnerEvent[] = [
    { type: "sweep_started", sweepId: "abcd1234", name: `evil${HOSTILE}`, worker: "h:1", storage: "db", slots: [slot], logFile: null, tally },
    { type: "trial_started", trial, slot, logDir: "/runs/t0" },
    { type: "trial_metrics", trial, slot, step: 1, metrics: { [`score${HOSTILE}`]: 0.5 } },
    { type: "notice", level: "warn", message: `skipped a malformed metric line: ${HOSTILE}\nsecond line`, trialNumber: 0 },
    { type: "trial_finished", trial, slot, state: "failed", value: null, error: `boom ${HOSTILE}\ntrace`, elapsedMs: 1000, willRetry: false, tally },
    { type: "sweep_finished", sweepId: "abcd1234", reason: "grid exhausted", tally },
  ];

  it("line mode", () => {
    let out = "";
    const reporter = new LineReporter((t) => (out += t), { metrics: true, summaryEveryMs: null });
    for (const e of events) reporter.emit(e);
    assert.doesNotMatch(out, RAW_CONTROL);
    assert.match(out, /sweep abcd1234 \(evilx\\x1b\[2J\\x07/);
    assert.match(out, /started on cpu0: opt=x\\x1b\[2J/);
    assert.match(out, /step 1: scorex\\x1b\[2J\\x07\\x9b31m\\x7fy=0\.5/);
    // A notice keeps its own line breaks.
    assert.match(out, /\\x7fy\nsecond line\n/);
  });

  it("live-table mode: its own cursor escapes only", () => {
    let out = "";
    const reporter = new TtyReporter({ write: (t: string) => (out += t), columns: 100 }, { refreshMs: 60_000 });
    for (const e of events) reporter.emit(e);
    reporter.close();
    // log-update's erase-line and cursor moves.
    const withoutOwnEscapes = out.replace(/\u001b\[(2K|\d*[A-G])/g, "");
    assert.doesNotMatch(withoutOwnEscapes, RAW_CONTROL);
    assert.match(withoutOwnEscapes, /evilx\\x1b\[2J/);
    assert.match(withoutOwnEscapes, /best: trial 0 scorex\\x1b\[2J/);
  });

  it("json mode: parseable, same values, no raw controls", () => {
    let out = "";
    const reporter = new JsonReporter((t) => (out += t));
    for (const e of events) reporter.emit(e);
    assert.doesNotMatch(out, RAW_CONTROL);
    const objects = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objects[0]!.name, `evil${HOSTILE}`);
  });

  it("diagnostics and CLI error messages", () => {
    let error: unknown;
    try {
      parseSweepConfig(`method: random\nparameters:\n  x: {values: [1]}\n"k\\e[2J\\a": 1\n`, { file: "f\u001b.yaml" });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ConfigError);
    assert.doesNotMatch(error.message, RAW_CONTROL);
    assert.match(error.message, /f\\x1b\.yaml:4:1 k\\x1b\[2J\\x07: unknown key "k\\x1b\[2J\\x07"/);
    for (const d of error.diagnostics) assert.doesNotMatch(formatDiagnostic(d), RAW_CONTROL);

    const missing = describeFailure(new SweepNotFoundError(`id${HOSTILE}`, "db"));
    assert.doesNotMatch(missing.message, RAW_CONTROL);
    const internal = describeFailure(new Error(`bad ${HOSTILE}\nsecond`));
    assert.doesNotMatch(internal.message, RAW_CONTROL);
    assert.match(internal.message, /^internal error \(a bug in sweep; please report it with this message\): Error: bad x\\x1b\[2J\\x07\\x9b31m\\x7fy\nsecond\n/);
  });
});

test("data on stdout: byte for byte into a pipe or file, control characters shown when stdout is a terminal", () => {
  const csv = "x,name\r\n1,\x1b[31mred\x1b[0m\r\n";
  const piped: string[] = [];
  printData(csv, { write: (t: string) => piped.push(t), isTTY: false });
  assert.equal(piped.join(""), csv);
  const shown: string[] = [];
  printData(csv, { write: (t: string) => shown.push(t), isTTY: true });
  assert.equal(shown.join(""), "x,name\r\n1,\\x1b[31mred\\x1b[0m\r\n");
});
