/** Every W&B parameter form resolves to the right Distribution, with W&B's inference and defaults. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distOf, parseFails, parseOk, withParameters } from "./helpers.js";

describe("parameter forms", () => {
  it("value is a constant of any JSON type", () => {
    assert.deepEqual(distOf("{value: 3}"), { kind: "constant", value: 3 });
    assert.deepEqual(distOf("{value: {layers: [1, 2]}}"), { kind: "constant", value: { layers: [1, 2] } });
    assert.deepEqual(distOf("{distribution: constant, value: adam}"), { kind: "constant", value: "adam" });
  });

  it("values is categorical, with optional probabilities", () => {
    assert.deepEqual(distOf("{values: [adam, sgd, 3]}"), { kind: "categorical", values: ["adam", "sgd", 3] });
    assert.deepEqual(distOf("{values: [a, b], probabilities: [0.25, 0.75]}"), {
      kind: "categorical",
      values: ["a", "b"],
      probabilities: [0.25, 0.75],
    });
    // W&B's older spelling of the same thing.
    assert.deepEqual(distOf("{distribution: categorical_w_probabilities, values: [a, b], probabilities: [0.5, 0.5]}"), {
      kind: "categorical",
      values: ["a", "b"],
      probabilities: [0.5, 0.5],
    });
  });

  it("probabilities may differ from 1 by float noise but not more", () => {
    assert.equal(distOf("{values: [a, b, c], probabilities: [0.1, 0.2, 0.7]}").kind, "categorical");
    const error = parseFails(withParameters("  p: {values: [a, b], probabilities: [0.5, 0.4]}\n"));
    assert.match(error.message, /parameters\.p\.probabilities: expected probabilities summing to 1, found a sum of 0\.9/);
    const length = parseFails(withParameters("  p: {values: [a, b], probabilities: [1]}\n"));
    assert.match(length.message, /expected 2 probabilities \(one per value\), found 1/);
  });

  it("min/max infer int_uniform only when both bounds are integer literals", () => {
    assert.deepEqual(distOf("{min: 1, max: 10}"), { kind: "int_uniform", min: 1, max: 10 });
    assert.deepEqual(distOf("{min: 1.0, max: 10}"), { kind: "uniform", min: 1, max: 10 });
    assert.deepEqual(distOf("{min: 1, max: 1e1}"), { kind: "uniform", min: 1, max: 10 });
    assert.deepEqual(distOf("{min: 0, max: 0.5}"), { kind: "uniform", min: 0, max: 0.5 });
    assert.deepEqual(distOf("{min: 0o7, max: 0x10}"), { kind: "int_uniform", min: 7, max: 16 });
  });

  it("explicit int_uniform needs integer literals, as W&B's schema (isinstance(x, int)) does", () => {
    assert.deepEqual(distOf("{distribution: int_uniform, min: 1, max: 4}"), { kind: "int_uniform", min: 1, max: 4 });
    const fraction = parseFails(withParameters("  p: {distribution: int_uniform, min: 1.5, max: 4}\n"));
    assert.match(fraction.message, /parameters\.p\.min: expected an integer, found 1\.5/);
    const float = parseFails(withParameters("  p: {distribution: int_uniform, min: 1, max: 2.0}\n"));
    assert.match(float.message, /parameters\.p\.max: expected an integer \(int_uniform bounds are Python ints; write 2, or use distribution: uniform for real numbers\), found 2\.0/);
    assert.equal(float.errors.length, 1);
  });

  it("every range kind keeps its bounds and gets q = 1 by default where W&B has q", () => {
    for (const kind of ["uniform", "log_uniform", "log_uniform_values", "inv_log_uniform", "inv_log_uniform_values"]) {
      assert.deepEqual(distOf(`{distribution: ${kind}, min: 2, max: 5}`), { kind, min: 2, max: 5 });
    }
    for (const kind of ["q_uniform", "q_log_uniform", "q_log_uniform_values"]) {
      assert.deepEqual(distOf(`{distribution: ${kind}, min: 2, max: 5}`), { kind, min: 2, max: 5, q: 1 });
      assert.deepEqual(distOf(`{distribution: ${kind}, min: 2, max: 5, q: 0.5}`), { kind, min: 2, max: 5, q: 0.5 });
    }
  });

  it("normal kinds default mu 0 and sigma 1, beta defaults a = b = 1", () => {
    assert.deepEqual(distOf("{distribution: normal}"), { kind: "normal", mu: 0, sigma: 1 });
    assert.deepEqual(distOf("{distribution: log_normal, mu: -3, sigma: 0.5}"), { kind: "log_normal", mu: -3, sigma: 0.5 });
    assert.deepEqual(distOf("{distribution: q_normal, mu: 10}"), { kind: "q_normal", mu: 10, sigma: 1, q: 1 });
    assert.deepEqual(distOf("{distribution: q_log_normal, q: 2}"), { kind: "q_log_normal", mu: 0, sigma: 1, q: 2 });
    assert.deepEqual(distOf("{distribution: beta}"), { kind: "beta", a: 1, b: 1 });
    assert.deepEqual(distOf("{distribution: beta, a: 2, b: 5}"), { kind: "beta", a: 2, b: 5 });
  });

  it("checks bounds: min < max, positive bounds for *_values log kinds, positive q and sigma", () => {
    const cases: [string, RegExp][] = [
      ["{min: 5, max: 1}", /parameters\.p\.max: expected max > min \(5\), found 1/],
      ["{min: 0.5, max: 0.5}", /expected max > min \(0\.5\), found 0\.5/],
      ["{distribution: log_uniform_values, min: 0, max: 1}", /parameters\.p\.min: expected a number > 0, found 0/],
      ["{distribution: q_uniform, min: 0, max: 1, q: 0}", /parameters\.p\.q: expected a number > 0, found 0/],
      ["{distribution: normal, sigma: -1}", /parameters\.p\.sigma: expected a number > 0, found -1/],
      ["{distribution: beta, a: 0}", /parameters\.p\.a: expected a number > 0, found 0/],
      ["{distribution: uniform, min: 0}", /parameters\.p: distribution uniform requires "max"/],
      ["{min: .nan, max: 1}", /parameters\.p\.min: expected a finite number, found \.nan/],
    ];
    for (const [flow, pattern] of cases) {
      assert.match(parseFails(withParameters(`  p: ${flow}\n`)).message, pattern, flow);
    }
  });

  it("rejects keys that do not belong to the chosen or inferred kind", () => {
    const q = parseFails(withParameters("  p: {min: 0.1, max: 1, q: 0.1}\n"));
    assert.match(q.message, /parameters\.p\.q: key "q" does not apply to distribution uniform \("q" is read by q_uniform/);
    const both = parseFails(withParameters("  p: {value: 1, values: [1, 2]}\n"));
    assert.match(both.message, /parameters\.p: ambiguous parameter: it has both "value" and "values"/);
    const mu = parseFails(withParameters("  p: {mu: 0, sigma: 2}\n"));
    assert.match(mu.message, /"mu" needs an explicit "distribution"/);
    const unknown = parseFails(withParameters("  p: {distribution: loguniform, min: 1, max: 2}\n"));
    assert.match(unknown.message, /unknown distribution "loguniform" \(did you mean "log_uniform"\?\)/);
  });

  it("a parameter that is not a mapping gets a hint on how to write it", () => {
    const scalar = parseFails(withParameters("  lr: 0.001\n"));
    assert.match(scalar.message, /parameters\.lr: expected a mapping .* found 0\.001 \(for a constant write "lr: \{value: 0\.001\}"\)/);
    const list = parseFails(withParameters("  bs: [16, 32]\n"));
    assert.match(list.message, /found a list \(for choices write "bs: \{values: \[\.\.\.\]\}"\)/);
  });
});

describe("nested parameters", () => {
  it("flattens to dotted names with the key path kept, in file order", () => {
    const sweep = parseOk(
      withParameters(
        [
          "  optimizer:",
          "    parameters:",
          "      name: {values: [adam, sgd]}",
          "      lr: {distribution: log_uniform_values, min: 1e-5, max: 1e-2}",
          "      schedule:",
          "        parameters:",
          "          warmup: {min: 0, max: 100}",
          "  epochs: {value: 3}",
          "",
        ].join("\n"),
      ),
    );
    assert.deepEqual(
      sweep.space.params.map((p) => [p.name, p.path, p.dist.kind]),
      [
        ["optimizer.name", ["optimizer", "name"], "categorical"],
        ["optimizer.lr", ["optimizer", "lr"], "log_uniform_values"],
        ["optimizer.schedule.warmup", ["optimizer", "schedule", "warmup"], "int_uniform"],
        ["epochs", ["epochs"], "constant"],
      ],
    );
  });

  it("rejects keys beside parameters, empty blocks, and names that collide after flattening", () => {
    const beside = parseFails(withParameters("  opt:\n    value: 1\n    parameters:\n      lr: {value: 1}\n"));
    assert.match(beside.message, /6:5 parameters\.opt\.value: key "value" is not allowed beside "parameters"/);
    const empty = parseFails(withParameters("  opt:\n    parameters: {}\n"));
    assert.match(empty.message, /parameters\.opt\.parameters: expected at least one parameter/);
    const clash = parseFails(withParameters("  a.b: {value: 1}\n  a:\n    parameters:\n      b: {value: 2}\n"));
    assert.match(clash.message, /parameter name "a\.b" is used twice \(also at 5:3 as parameters\.a\.b\)/);
  });
});
