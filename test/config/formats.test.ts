/** YAML 1.2 and JSON input, and loading from disk. */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ConfigError, loadSweepFile } from "../../src/config/index.js";
import { parseFails, parseOk, where, withParameters } from "./helpers.js";

describe("YAML 1.2", () => {
  it("reads 1e-4 and 5e-5 as numbers (YAML 1.1 parsers such as PyYAML read them as strings)", () => {
    const sweep = parseOk(withParameters("  lr: {min: 5e-5, max: 1e-4}\n  wd: {values: [1e-4, 3E-2, .5]}\n"));
    assert.deepEqual(sweep.space.params[0]!.dist, { kind: "uniform", min: 5e-5, max: 1e-4 });
    assert.deepEqual(sweep.space.params[1]!.dist, { kind: "categorical", values: [1e-4, 3e-2, 0.5] });
  });

  it("keeps yes/no/on/off as strings, as YAML 1.2 does", () => {
    const sweep = parseOk(withParameters("  flag: {values: [yes, no, true]}\n"));
    assert.deepEqual(sweep.space.params[0]!.dist, { kind: "categorical", values: ["yes", "no", true] });
  });

  it("follows anchors and aliases", () => {
    const sweep = parseOk(withParameters("  a: &range {min: 0.0, max: 1.0}\n  b: *range\n"));
    assert.deepEqual(
      sweep.space.params.map((p) => p.dist),
      [
        { kind: "uniform", min: 0, max: 1 },
        { kind: "uniform", min: 0, max: 1 },
      ],
    );
  });

  it("rejects a second document", () => {
    const error = parseFails(withParameters("  a: {value: 1}\n") + "---\nmethod: grid\n");
    assert.match(error.message, /6:1 YAML syntax: a sweep file holds one document/);
  });
});

describe("JSON", () => {
  const json = [
    "{",
    '  "method": "random",',
    '  "metric": {"name": "loss", "goal": "minimise"},',
    '  "parameters": {',
    '    "lr": {"min": 1e-5, "max": 0.001},',
    '    "layers": {"min": 1, "max": 4},',
    '    "width": {"min": 1.0, "max": 4},',
    '    "act": {"values": ["relu", "gelu"], "probability": [0.5, 0.5]}',
    "  }",
    "}",
  ].join("\n");

  it("positions every error as YAML does", () => {
    const error = parseFails(json, { file: "s.json" });
    assert.deepEqual(where(error.errors), ["3:38 metric.goal", "8:41 parameters.act.probability"]);
    assert.equal(error.errors[1]!.suggestion, "probabilities");
  });

  it("infers int vs float from the JSON literal", () => {
    const sweep = parseOk(json.replace("minimise", "minimize").replace('"probability"', '"probabilities"'), {
      format: "json",
    });
    assert.deepEqual(
      sweep.space.params.map((p) => p.dist.kind),
      ["uniform", "int_uniform", "uniform", "categorical"],
    );
  });

  it("rejects YAML-only syntax in a .json file", () => {
    const error = parseFails('{"method": random, "parameters": {"x": {"value": 1}}}', { file: "s.json" });
    assert.match(error.message, /s\.json:1:12 JSON syntax: expected a quoted string, a number, true, false or null, found random/);
  });
});

describe("loadSweepFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "sweep-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const body = withParameters("  x: {values: [1, 2]}\n");

  it("reads .yaml, .yml, .json and unknown extensions (as YAML), naming the file in diagnostics", () => {
    for (const name of ["a.yaml", "b.yml", "c.sweep"]) {
      writeFileSync(join(dir, name), body);
      const sweep = loadSweepFile(join(dir, name));
      assert.equal(sweep.file, join(dir, name));
      assert.equal(sweep.raw, body);
      assert.equal(sweep.space.params.length, 1);
    }
    writeFileSync(join(dir, "d.json"), '{"method": "grid", "parameters": {"x": {"values": [1, 2]}}}');
    assert.equal(loadSweepFile(join(dir, "d.json")).config.method, "grid");
  });

  it("gives a ConfigError naming a missing or unreadable file", () => {
    const missing = join(dir, "nope.yaml");
    assert.throws(
      () => loadSweepFile(missing),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.diagnostics[0]!.file === missing &&
        error.message.includes(`${missing}:1:1 cannot read the sweep file: no such file`),
    );
    mkdirSync(join(dir, "folder.yaml"));
    assert.throws(() => loadSweepFile(join(dir, "folder.yaml")), /cannot read the sweep file: it is a directory/);
  });

  it("passes lenient through", () => {
    writeFileSync(join(dir, "lenient.yaml"), `${body}extra: 1\n`);
    assert.throws(() => loadSweepFile(join(dir, "lenient.yaml")), /unknown key "extra"/);
    assert.equal(loadSweepFile(join(dir, "lenient.yaml"), { lenient: true }).warnings.length, 1);
  });
});
