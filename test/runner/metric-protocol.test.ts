import assert from "node:assert/strict";
import { test } from "node:test";
import { LineSplitter, decodeMetricLine } from "../../src/runner/metric-protocol.js";

test("a line is a JSON object of numbers; step defaults to previous + 1", () => {
  assert.deepEqual(decodeMetricLine('{"step": 4, "loss": 0.5, "phase": "train"}', 0), { ok: true, report: { step: 4, metrics: { loss: 0.5 }, ignored: ["phase"] } });
  const next = decodeMetricLine('{"loss": 0.25}', 4);
  assert.ok(next.ok);
  assert.equal(next.report.step, 5);
});

test("Python's NaN and Infinity words are accepted, also next to strings that contain them", () => {
  const d = decodeMetricLine('{"step": 1, "a": NaN, "b": -Infinity, "c": Infinity, "note": "NaN here"}', 0);
  assert.ok(d.ok);
  assert.ok(Number.isNaN(d.report.metrics.a));
  assert.equal(d.report.metrics.b, -Infinity);
  assert.equal(d.report.metrics.c, Infinity);
  assert.deepEqual(d.report.ignored, ["note"]);
});

test("malformed lines are refused with a reason", () => {
  for (const [line, reason] of [
    ["not json", /not JSON/],
    ["[1,2]", /expected a JSON object/],
    ['{"step": -1, "x": 1}', /"step" is -1; expected a non-negative integer/],
    ['{"step": 2}', /no numeric metric/],
  ] as const) {
    const d = decodeMetricLine(line, 0);
    assert.equal(d.ok, false, line);
    assert.match((d as { error: string }).error, reason);
  }
});

test("LineSplitter joins chunks, keeps split UTF-8 intact and skips over-long lines", () => {
  const lines: string[] = [];
  const overlong: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), (p) => overlong.push(p), 16);
  const bytes = Buffer.from("héllo\nwor");
  s.push(bytes.subarray(0, 2));
  s.push(bytes.subarray(2));
  s.push(Buffer.from("ld\r\n" + "x".repeat(40) + "\nafter"));
  s.end();
  assert.deepEqual(lines, ["héllo", "world", "after"]);
  assert.equal(overlong.length, 1);
});
