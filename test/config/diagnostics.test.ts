/** Errors: all at once, positioned, with key paths, did-you-mean, lenient mode and warnings. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, formatDiagnostic } from "../../src/config/index.js";
import { parseFails, parseOk, where, withParameters } from "./helpers.js";

const MULTI_ERROR_FILE = [
  "method: grdi", //                                   1
  "metric:", //                                        2
  "  name: loss", //                                   3
  "  goal: maximise", //                               4
  "parameters:", //                                    5
  "  lr:", //                                          6
  "    min: abc", //                                   7
  "    max: 1e-3", //                                  8
  "  batch_size:", //                                  9
  "    vales: [16, 32]", //                           10
  "  dropout: {min: 0.5, max: 0.1}", //               11
  "early_terminate:", //                              12
  "  type: hyperband", //                             13
  "run_cap: -1", //                                   14
  "sweep:", //                                        15
  "  paralel: 2", //                                  16
  "  trial_timeout: soon", //                         17
  "",
].join("\n");

describe("diagnostics", () => {
  it("reports every error of a file at once, each with line, column and key path", () => {
    const error = parseFails(MULTI_ERROR_FILE, { file: "sweeps/bad.yaml" });
    assert.deepEqual(where(error.errors), [
      "1:9 method",
      "4:9 metric.goal",
      "7:10 parameters.lr.min",
      "10:5 parameters.batch_size.vales",
      "11:28 parameters.dropout.max",
      "13:3 early_terminate",
      "14:10 run_cap",
      "16:3 sweep.paralel",
      "17:18 sweep.trial_timeout",
    ]);
    for (const d of error.diagnostics) assert.equal(d.file, "sweeps/bad.yaml");
    const lr = error.errors.find((d) => d.path === "parameters.lr.min")!;
    assert.equal(formatDiagnostic(lr), 'sweeps/bad.yaml:7:10 parameters.lr.min: expected a number, found "abc"');
    assert.equal(lr.expected, "a number");
    assert.equal(lr.found, '"abc"');
    // The error's message is already the formatted report: a summary line, then one line per problem.
    assert.equal(error.message, error.format());
    assert.match(error.message, /^invalid sweep file sweeps\/bad\.yaml \(9 errors\):\n {2}sweeps\/bad\.yaml:1:9 method:/);
  });

  it("suggests the closest allowed key or value", () => {
    const error = parseFails(MULTI_ERROR_FILE);
    const suggestions = Object.fromEntries(error.errors.map((d) => [d.path, d.suggestion]));
    assert.equal(suggestions["method"], "grid");
    assert.equal(suggestions["metric.goal"], "maximize");
    assert.equal(suggestions["parameters.batch_size.vales"], "values");
    assert.equal(suggestions["sweep.paralel"], "parallel");
    assert.equal(suggestions["parameters.lr.min"], undefined);
    assert.match(error.message, /parameters\.batch_size\.vales: unknown key "vales" \(did you mean "values"\?\)/);
  });

  it("does not report a required key as missing when its misspelling was already reported", () => {
    const error = parseFails("mehtod: random\nparameters:\n  x: {value: 1}\n");
    assert.deepEqual(
      error.diagnostics.map((d) => formatDiagnostic(d)),
      ['1:1 mehtod: unknown key "mehtod" (did you mean "method"?)'],
    );
  });

  it("points settings and parameters written at the top level to their block", () => {
    const error = parseFails("method: random\nseed: 3\nlr: {min: 0.1, max: 1}\nparameters:\n  x: {value: 1}\n");
    assert.match(error.message, /2:1 seed: unknown top-level key "seed" \(settings of this tool go in the "sweep:" block\)/);
    assert.match(error.message, /3:1 lr: unknown top-level key "lr" \(it looks like a parameter: parameters go under "parameters:"\)/);
  });

  it("reports duplicate keys with both positions", () => {
    const error = parseFails("method: random\nparameters:\n  x: {value: 1}\n  x: {value: 2}\nmethod: grid\n");
    assert.deepEqual(where(error.errors), ["4:3 parameters.x", "5:1 method"]);
    assert.match(error.message, /4:3 parameters\.x: duplicate key "x" \(first defined at 3:3\)/);
  });

  it("turns YAML syntax errors into positioned diagnostics", () => {
    const error = parseFails("method: random\nparameters:\n  x: {value: [1, 2}\n", { file: "s.yaml" });
    assert.equal(error.errors.length >= 1, true);
    const first = error.errors[0]!;
    assert.equal(first.file, "s.yaml");
    assert.equal(first.line, 3);
    assert.match(first.message, /^YAML syntax: /);
  });

  it("checks cross-key rules: bayes and early_terminate need a metric, grid needs enumerable parameters", () => {
    const bayes = parseFails("method: bayes\nparameters:\n  x: {min: 0.0, max: 1.0}\n");
    assert.match(bayes.message, /1:9 method: method "bayes" needs a "metric" to optimise/);
    const hyperband = parseFails("method: random\nparameters:\n  x: {value: 1}\nearly_terminate: {type: hyperband, min_iter: 3}\n");
    assert.match(hyperband.message, /4:1 early_terminate: "early_terminate" needs a "metric"/);
    const grid = parseFails(withParameters("  a: {values: [1, 2]}\n  b: {min: 0.1, max: 0.9}\n  c: {min: 1, max: 3}\n", "grid"));
    assert.deepEqual(where(grid.errors), ["6:6 parameters.b"]);
    assert.equal(grid.errors[0]!.message, "grid search cannot enumerate a continuous uniform distribution");
    assert.equal(grid.errors[0]!.expected, "values, an integer range (int_uniform) or a quantised range (q_uniform)");
  });

  it("reports a missing or empty file body and a non-mapping root", () => {
    assert.match(parseFails("").message, /1:1 the sweep file is empty/);
    assert.match(parseFails("# nothing\n").message, /the sweep file is empty/);
    assert.match(parseFails("- method\n").message, /1:1 expected a mapping with "method", "parameters", \.\.\., found a list/);
    assert.match(parseFails("name: x\n").message, /missing required key "method"[\s\S]*missing required key "parameters"/);
  });
});

describe("lenient mode", () => {
  const text = withParameters("  lr: {min: 0.1, max: 1.0, scale: log}\n") + "controler: local\n";

  it("is strict by default", () => {
    const error = parseFails(text);
    assert.deepEqual(where(error.errors), ["5:28 parameters.lr.scale", "6:1 controler"]);
    assert.equal(error.errors[1]!.suggestion, "controller");
  });

  it("turns unknown keys into warnings and ignores them", () => {
    const sweep = parseOk(text, { lenient: true });
    assert.deepEqual(sweep.space.params[0]!.dist, { kind: "uniform", min: 0.1, max: 1 });
    assert.deepEqual(where(sweep.warnings), ["5:28 parameters.lr.scale", "6:1 controler"]);
    assert.match(formatDiagnostic(sweep.warnings[0]!), /^5:28 parameters\.lr\.scale: unknown key "scale"; ignored/);
  });

  it("still rejects invalid values", () => {
    const error = parseFails(withParameters("  lr: {min: x, max: 1.0}\n"), { lenient: true });
    assert.deepEqual(where(error.errors), ["5:13 parameters.lr.min"]);
  });
});

describe("warnings", () => {
  it("warns when log_uniform bounds look like values and says what was meant", () => {
    const sweep = parseOk(withParameters("  lr:\n    distribution: log_uniform\n    min: 2e-5\n    max: 4e-5\n"));
    assert.equal(sweep.space.params[0]!.dist.kind, "log_uniform");
    assert.equal(sweep.warnings.length, 1);
    const warning = sweep.warnings[0]!;
    assert.deepEqual(where([warning]), ["6:19 parameters.lr.distribution"]);
    assert.equal(warning.suggestion, "log_uniform_values");
    assert.match(warning.message, /natural-log exponents, so this samples 1\.00002 \.\. 1\.00004; for values between 2e-5 and 4e-5 use distribution: log_uniform_values/);
  });

  it("does not warn for exponent bounds that are plausible", () => {
    const sweep = parseOk(withParameters("  lr: {distribution: log_uniform, min: -9.2, max: -4.6}\n"));
    assert.deepEqual(sweep.warnings, []);
  });

  it("warns about huge exponents and inv/q variants too", () => {
    const huge = parseOk(withParameters("  bs: {distribution: q_log_uniform, min: 32, max: 256}\n"));
    assert.equal(huge.warnings[0]!.suggestion, "q_log_uniform_values");
    const inv = parseOk(withParameters("  wd: {distribution: inv_log_uniform, min: 0.01, max: 0.1}\n"));
    assert.equal(inv.warnings[0]!.suggestion, "inv_log_uniform_values");
  });

  it("warns about single-value lists, repeated values, grid probabilities and W&B-only keys", () => {
    const sweep = parseOk(
      [
        "method: grid",
        "controller: {type: local}",
        "metric: {name: loss, impute: worst}",
        "parameters:",
        "  a: {values: [1]}",
        "  b: {values: [x, x, y]}",
        "  c: {values: [1, 2], probabilities: [0.5, 0.5]}",
        "",
      ].join("\n"),
    );
    assert.deepEqual(where(sweep.warnings), [
      "2:1 controller",
      "3:22 metric.impute",
      "5:15 parameters.a.values",
      "6:15 parameters.b.values",
      "7:38 parameters.c.probabilities",
    ]);
    assert.match(sweep.warnings[2]!.message, /"values" has a single element; "value: 1" says the same/);
    assert.match(sweep.warnings[4]!.message, /probabilities are ignored/);
  });

  it("refuses unknown command macros, which the runner could not expand", () => {
    const errors = parseFails(withParameters("  x: {value: 1}\n") + "command: [python, train.py, '${argz}']\n").errors;
    assert.equal(errors[0]!.suggestion, "${args}");
    assert.deepEqual(where(errors), ["6:29 command[2]"]);
  });
});

describe("formatDiagnostic", () => {
  it("leaves out unknown location parts", () => {
    assert.equal(formatDiagnostic({ severity: "error", path: "", message: "boom" }), "boom");
    assert.equal(
      formatDiagnostic({ severity: "warning", line: 3, column: 2, path: "a.b", message: "odd", suggestion: "c" }),
      '3:2 a.b: odd (did you mean "c"?)',
    );
  });

  it("ConfigError is an Error with diagnostics in file order, warnings marked", () => {
    const error = new ConfigError([
      { severity: "error", file: "f.yaml", line: 9, column: 1, path: "b", message: "second" },
      { severity: "warning", file: "f.yaml", line: 2, column: 1, path: "a", message: "first" },
    ]);
    assert.ok(error instanceof Error);
    assert.equal(error.name, "ConfigError");
    assert.deepEqual(error.diagnostics.map((d) => d.message), ["first", "second"]);
    assert.equal(
      error.message,
      "invalid sweep file f.yaml (1 error, 1 warning):\n  warning: f.yaml:2:1 a: first\n  f.yaml:9:1 b: second",
    );
  });
});
