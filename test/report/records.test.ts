import assert from "node:assert/strict";
import { test } from "node:test";
import { csvField, formatRecords } from "../../src/report/records.js";

test("CSV fields are quoted only when needed, quotes doubled (RFC 4180)", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField(" lead"), '" lead"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(3e-5), "0.00003");
  assert.equal(csvField(Infinity), "inf");
  assert.equal(csvField(-Infinity), "-inf");
  assert.equal(csvField(NaN), "nan");
  assert.equal(csvField(true), "True");
  assert.equal(csvField({ a: [1, 2] }), '"{""a"":[1,2]}"');
});

test("JSON has no NaN or infinity, and keeps the column order", () => {
  const table = { columns: ["b", "a"], rows: [{ a: Infinity, b: 1 }] };
  assert.equal(formatRecords(table, "jsonl"), '{"b":1,"a":null}\n');
  assert.equal(formatRecords(table, "csv"), "b,a\r\n1,inf\r\n");
});
