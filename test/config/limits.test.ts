/**
 * Hostile sweep files (issue #14): each is refused quickly with a positioned ConfigError instead of an
 * internal error, minutes of CPU, gigabytes of memory or a crashed process. Times are printed and only
 * loosely asserted (< 5 s) because the test machines are shared.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it, type TestContext } from "node:test";
import { ConfigError, SWEEP_FILE_LIMITS, loadSweepFile, parseSweepConfig } from "../../src/config/index.js";
import { cliMain } from "../helpers/paths.js";
import { parseFails, parseOk, where, withParameters } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "sweep-limits-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `fn` expecting a ConfigError; prints and loosely checks the time it took. */
function refusedQuickly(t: TestContext, label: string, fn: () => unknown): ConfigError {
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  const ms = performance.now() - started;
  const rssGrowthMiB = Math.max(0, process.memoryUsage().rss - rssBefore) / 2 ** 20;
  t.diagnostic(`${label}: refused in ${ms.toFixed(1)} ms, rss +${rssGrowthMiB.toFixed(1)} MiB`);
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.ok(ms < 5000, `${label} took ${ms.toFixed(0)} ms`);
  return caught;
}

/** Billion laughs: nine levels of nine aliases, 9^9 strings when expanded. */
function aliasBomb(): string {
  const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  let previous = "a";
  for (const name of "bcdefghi") {
    lines.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(",")}]`);
    previous = name;
  }
  return `${lines.join("\n")}\nmethod: random\nparameters:\n  x: {values: [*i]}\n`;
}

function manyParameters(n: number): string {
  const lines = ["method: random", "parameters:"];
  for (let i = 0; i < n; i++) lines.push(`  p${i}: {values: [1, 2]}`);
  return `${lines.join("\n")}\n`;
}

describe("sweep-file limits", () => {
  it("refuses a YAML alias bomb by its expansion, at the alias that crosses the limit", (t) => {
    const error = refusedQuickly(t, "alias bomb", () => parseSweepConfig(aliasBomb(), { file: "bomb.yaml" }));
    assert.equal(error.errors.length, 1);
    const [d] = error.errors;
    assert.match(d!.message, /aliases expand the file too much: .* at most 10000 are allowed \(an alias bomb\?\)/);
    assert.equal(d!.file, "bomb.yaml");
    assert.equal(d!.line, 5);
    assert.equal(d!.path, "e[0]");
    assert.equal(d!.expected, "aliases adding at most 10000 nodes in all");
    assert.match(d!.found!, /^\d+ nodes$/);
    assert.doesNotMatch(error.message, /ReferenceError|internal/);
  });

  it("refuses more aliases than the limit, even harmless ones", () => {
    const refs = Array.from({ length: SWEEP_FILE_LIMITS.maxAliases + 1 }, () => "*v").join(", ");
    const error = parseFails(`v: &v 1\nmethod: random\nparameters:\n  x: {values: [${refs}]}\n`);
    assert.match(error.message, /too many aliases: 101; at most 100 are allowed/);
    assert.deepEqual(where(error.errors), ["4:416 parameters.x.values[100]"]);
  });

  it("refuses circular aliases instead of recursing forever", (t) => {
    const nested = refusedQuickly(t, "circular nested parameters", () =>
      parseSweepConfig("method: random\nparameters: &p\n  a:\n    parameters: *p\n"),
    );
    assert.match(nested.message, /4:17 parameters\.a\.parameters: alias \*p refers to a node that contains it \(a circular reference\)/);
    const list = parseFails("method: random\nparameters:\n  x: &x {values: [1, *x]}\n");
    assert.deepEqual(where(list.errors), ["3:22 parameters.x.values[1]"]);
  });

  it("still follows ordinary anchors and aliases", () => {
    const sweep = parseOk(withParameters("  a: &r {values: &v [1, 2]}\n  b: *r\n  c: {values: *v}\n"));
    assert.deepEqual(
      sweep.space.params.map((p) => p.dist),
      [1, 2, 3].map(() => ({ kind: "categorical", values: [1, 2] })),
    );
  });

  it("refuses a 20 MB file by its size before reading it", (t) => {
    const file = join(dir, "huge.yaml");
    // A sparse file: 20 MiB by fstat without writing (or reading) 20 MiB.
    writeFileSync(file, "method: random\n");
    truncateSync(file, 20 * 1024 * 1024);
    const error = refusedQuickly(t, "20 MiB file (loadSweepFile)", () => loadSweepFile(file));
    assert.deepEqual(where(error.errors), ["1:1 "]);
    assert.equal(
      error.errors[0]!.message,
      "the sweep file is too large: 20.0 MiB (20971520 bytes); at most 256 KiB is allowed",
    );
    assert.equal(error.errors[0]!.expected, "a sweep file of at most 256 KiB (262144 bytes)");
    assert.equal(error.errors[0]!.file, file);
  });

  it("refuses 800k parameters (22 MB) by size, from a file and from text", (t) => {
    const text = manyParameters(800_000);
    assert.ok(text.length > 20_000_000);
    const file = join(dir, "params.yaml");
    writeFileSync(file, text);
    const fromFile = refusedQuickly(t, "800k parameters (loadSweepFile)", () => loadSweepFile(file));
    assert.match(fromFile.message, /too large: 21\.\d MiB/);
    const fromText = refusedQuickly(t, "800k parameters (parseSweepConfig)", () => parseSweepConfig(text));
    assert.match(fromText.message, /too large: 21\.\d MiB/);
  });

  it("refuses more parameters than the limit, naming the first one too many", (t) => {
    const error = refusedQuickly(t, "2000 parameters", () => parseSweepConfig(manyParameters(2000), { file: "many.yaml" }));
    assert.equal(error.errors.length, 1);
    assert.equal(error.errors[0]!.message, "too many parameters: 2000; at most 1000 are allowed");
    assert.deepEqual(where(error.errors), ["1003:3 parameters.p1000"]);
    // Nested leaves count too.
    const nested = parseFails(withParameters("  g:\n    parameters:\n      a: {value: 1}\n      b: {value: 2}\n  c: {value: 3}\n"), {
      limits: { maxParameters: 2 },
    });
    assert.match(nested.message, /9:3 parameters\.c: too many parameters: 3; at most 2 are allowed/);
  });

  it("refuses deep nesting: thousands of brackets before parsing, 33 levels with a key path", (t) => {
    const half = 100_000;
    const flow = withParameters(`  x: {value: ${"[".repeat(half)}${"]".repeat(half)}}\n`);
    assert.ok(Buffer.byteLength(flow) < SWEEP_FILE_LIMITS.maxFileBytes);
    const error = refusedQuickly(t, "100k nested brackets", () => parseSweepConfig(flow));
    assert.match(error.message, /nesting too deep: more than 128 levels of mappings and lists; at most 32 are allowed/);
    assert.deepEqual(where(error.errors), ["5:141 "]);

    const compact = withParameters(`  x:\n    value:\n      ${"- ".repeat(half)}1\n`);
    const blocks = refusedQuickly(t, "100k compact block lists", () => parseSweepConfig(compact));
    assert.match(blocks.message, /nesting too deep/);

    const levels = withParameters(`  x: {value: ${"[".repeat(40)}${"]".repeat(40)}}\n`);
    const exact = parseFails(levels);
    assert.equal(exact.errors.length, 1);
    assert.match(exact.errors[0]!.message, /^nesting too deep: more than 32 levels of mappings and lists$/);
    assert.match(exact.errors[0]!.path, /^parameters\.x\.value(\[0\]){29}$/);
    assert.equal(exact.errors[0]!.found, "a mapping or list at level 33");
  });

  it("refuses overlong strings and lists", () => {
    const long = parseFails(withParameters(`  x: {value: "${"a".repeat(20_000)}"}\n`));
    assert.deepEqual(where(long.errors), ["5:14 parameters.x.value"]);
    assert.match(long.message, /string too long: 20000 characters; at most 16384 are allowed/);
    const values = Array.from({ length: 10_001 }, (_, i) => i).join(",");
    const list = parseFails(withParameters(`  x:\n    values: [${values}]\n`, "grid"));
    assert.deepEqual(where(list.errors), ["6:13 parameters.x.values"]);
    assert.match(list.message, /list too long: 10001 items; at most 10000 are allowed/);
  });

  it("applies the same limits to JSON files", () => {
    const json = JSON.stringify({ method: "random", parameters: { x: { value: JSON.parse(`${"[".repeat(40)}${"]".repeat(40)}`) } } });
    const error = parseFails(json, { format: "json" });
    assert.match(error.message, /nesting too deep: more than 32 levels/);
  });

  it("takes overrides of each limit", () => {
    assert.doesNotThrow(() => parseSweepConfig(manyParameters(1200), { limits: { maxParameters: 1200 } }));
    const small = parseFails(manyParameters(3), { limits: { maxFileBytes: 40 } });
    assert.match(small.message, /too large: 96 bytes; at most 40 bytes is allowed/);
  });
});

describe("sweep-file limits through the CLI", () => {
  function sweepCli(args: string[]) {
    const r = spawnSync(process.execPath, [cliMain, ...args], { cwd: dir, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("validate and run exit 3 with the positioned error, never an internal error", () => {
    const bomb = join(dir, "bomb.yaml");
    writeFileSync(bomb, aliasBomb());
    const huge = join(dir, "huge-cli.yaml");
    writeFileSync(huge, "method: random\n");
    truncateSync(huge, 20 * 1024 * 1024);

    const validate = sweepCli(["validate", bomb, huge]);
    assert.equal(validate.code, 3, validate.stderr);
    assert.match(validate.stderr, /bomb\.yaml:5:8 e\[0\]: aliases expand the file too much/);
    assert.match(validate.stderr, /huge-cli\.yaml:1:1 the sweep file is too large: 20\.0 MiB/);
    assert.doesNotMatch(validate.stderr, /internal error|ReferenceError|    at /);

    const run = sweepCli(["run", bomb, "--storage", join(dir, "cli.db")]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /invalid sweep file .*bomb\.yaml \(1 error\)/);
    assert.doesNotMatch(run.stderr, /internal error|ReferenceError|    at /);
  });
});
