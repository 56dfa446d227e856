/**
 * `${args}`, `${args_no_hyphens}` and `${args_json}` as the W&B agent writes them: `f"--{k}={v}"` (Python's
 * str()) and `json.dumps`, with ints and floats told apart by how the sweep file wrote them.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { parseSweepConfig } from "../../src/config/index.js";
import { buildCommand } from "../../src/runner/command.js";
import { pythonFloatRepr, pythonJsonDumps, pythonStr } from "../../src/runner/python-format.js";
import type { FlatParams } from "../../src/space/types.js";
import { unflattenParams } from "../../src/space/index.js";

const python = "/usr/bin/python3";

describe("Python's str() and json.dumps of parameter values", () => {
  // [value, float mask, str(value) as in `--k={value}`, json.dumps(value)]
  const table: [unknown, boolean | undefined, string, string][] = [
    [3, undefined, "3", "3"],
    [-7, undefined, "-7", "-7"],
    [0, undefined, "0", "0"],
    [0, true, "0.0", "0.0"],
    [1, true, "1.0", "1.0"],
    [-0, true, "-0.0", "-0.0"],
    [100, true, "100.0", "100.0"],
    [0.5, undefined, "0.5", "0.5"],
    [0.1 + 0.2, undefined, "0.30000000000000004", "0.30000000000000004"],
    [1e-5, undefined, "1e-05", "1e-05"],
    [0.00001, undefined, "1e-05", "1e-05"],
    [5e-5, undefined, "5e-05", "5e-05"],
    [1.5e-7, undefined, "1.5e-07", "1.5e-07"],
    [0.0001, undefined, "0.0001", "0.0001"],
    [0.00012, undefined, "0.00012", "0.00012"],
    [123.456, undefined, "123.456", "123.456"],
    [1e15, true, "1000000000000000.0", "1000000000000000.0"],
    [1e16, true, "1e+16", "1e+16"],
    [1.5e300, undefined, "1.5e+300", "1.5e+300"],
    [2 ** 53 - 1, undefined, "9007199254740991", "9007199254740991"],
    [2 ** 60, undefined, "1.152921504606847e+18", "1.152921504606847e+18"],
    [Infinity, undefined, "inf", "Infinity"],
    [-Infinity, undefined, "-inf", "-Infinity"],
    [NaN, undefined, "nan", "NaN"],
    [true, undefined, "True", "true"],
    [false, undefined, "False", "false"],
    [null, undefined, "None", "null"],
    ["adamw", undefined, "adamw", '"adamw"'],
    ["it's", undefined, "it's", '"it\'s"'],
    ["héllo", undefined, "héllo", '"h\\u00e9llo"'],
    ["", undefined, "", '""'],
    [[1, 2], undefined, "[1, 2]", "[1, 2]"],
    [[], undefined, "[]", "[]"],
    [["a", "b"], undefined, "['a', 'b']", '["a", "b"]'],
    [[1e-5, true, null, "it's"], undefined, "[1e-05, True, None, \"it's\"]", '[1e-05, true, null, "it\'s"]'],
    [{ a: 1, b: [0.5] }, undefined, "{'a': 1, 'b': [0.5]}", '{"a": 1, "b": [0.5]}'],
  ];

  it("formats each value as Python does", () => {
    for (const [value, mask, str, json] of table) {
      assert.equal(pythonStr(value, mask), str, `str(${String(value)})`);
      assert.equal(pythonJsonDumps(value, mask), json, `json.dumps(${String(value)})`);
    }
  });

  it("marks inside lists and dicts make integral numbers floats", () => {
    assert.equal(pythonStr([1, 2], [true, false]), "[1.0, 2]");
    assert.equal(pythonJsonDumps({ a: 1, b: { c: 0 } }, { a: false, b: { c: true } }), '{"a": 1, "b": {"c": 0.0}}');
  });

  it("agrees with the real repr() on 2,000 random floats", { skip: spawnSync(python, ["-c", "1"]).status !== 0 && "no python3" }, () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    const values: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const exponent = Math.floor(rand() * 44) - 22;
      const digits = Math.floor(rand() * 4);
      const value = Number((rand() * 10).toFixed(digits)) * 10 ** exponent * (rand() < 0.2 ? -1 : 1);
      values.push(value === 0 ? 0 : value); // JSON cannot carry -0
    }
    const script = "import json,sys\nfor v in json.load(sys.stdin): print(repr(float(v)))";
    const result = spawnSync(python, ["-c", script], { input: JSON.stringify(values), encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    const expected = result.stdout.trim().split("\n");
    values.forEach((v, i) => assert.equal(pythonFloatRepr(v), expected[i], `repr(${v})`));
  });
});

describe("${args} from a sweep file keeps floats written as floats", () => {
  const sweep = parseSweepConfig(`
method: random
parameters:
  clip: {values: [1.0, 2]}
  wd: {value: 0.0}
  lr: {values: [0.00001, 0.001]}
  epochs: {value: 3}
  layers: {value: [1.0, 2]}
  steps: {distribution: q_uniform, min: 0, max: 10, q: 1}
  width: {distribution: q_uniform, min: 0, max: 10}
  drop: {distribution: uniform, min: 0, max: 1}
  opt:
    parameters:
      momentum: {value: 1.0}
`);
  const command = (params: FlatParams, template: string[]) =>
    buildCommand({
      template,
      params,
      config: unflattenParams(sweep.space, params),
      space: sweep.space,
      argsJsonFile: "/tmp/p.json",
      env: {},
      interpreter: "python",
    });
  const params = { clip: 1, wd: 0, lr: 0.00001, epochs: 3, layers: [1, 2], steps: 4, width: 4, drop: 1, "opt.momentum": 1 };

  it("writes --clip=1.0 --wd=0.0 --lr=1e-05 as the W&B agent does, ints as ints", () => {
    assert.deepEqual(command(params, ["${args}"]), [
      "--clip=1.0", "--wd=0.0", "--lr=1e-05", "--epochs=3", "--layers=[1.0, 2]",
      // q_uniform gives ints with an int q, floats with W&B's default q (1.0); uniform always floats.
      "--steps=4", "--width=4.0", "--drop=1.0", "--opt={'momentum': 1.0}",
    ]);
    assert.deepEqual(command({ ...params, clip: 2 }, ["${args_no_hyphens}"]).slice(0, 3), ["clip=2", "wd=0.0", "lr=1e-05"]);
  });

  it("writes ${args_json} as json.dumps does", () => {
    assert.deepEqual(command(params, ["${args_json}"]), [
      '{"clip": 1.0, "wd": 0.0, "lr": 1e-05, "epochs": 3, "layers": [1.0, 2], "steps": 4, "width": 4.0, "drop": 1.0, "opt": {"momentum": 1.0}}',
    ]);
  });
});
