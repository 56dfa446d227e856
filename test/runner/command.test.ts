import assert from "node:assert/strict";
import { test } from "node:test";
import { CommandError, buildCommand, formatArgValue } from "../../src/runner/command.js";

const base = {
  program: "train.py",
  params: { lr: 0.01, "optimizer.name": "adam", amp: true, ema: false, layers: [1, 2] },
  config: { lr: 0.01, optimizer: { name: "adam" }, amp: true, ema: false, layers: [1, 2] },
  argsJsonFile: "/tmp/params.json",
  env: { PATH: "/usr/bin", TOKEN: "s3cret" },
  interpreter: "python",
  platform: "linux" as NodeJS.Platform,
};

test("the default command is W&B's: ${env} ${interpreter} ${program} ${args}", () => {
  assert.deepEqual(buildCommand(base), [
    "/usr/bin/env", "python", "train.py",
    "--lr=0.01", "--optimizer={'name': 'adam'}", "--amp=True", "--ema=False", "--layers=[1, 2]",
  ]);
});

test("every list macro expands as the W&B agent does", () => {
  const argv = buildCommand({ ...base, template: ["run", "${args_no_hyphens}", "|", "${args_no_boolean_flags}", "|", "${args_no_equals}"] });
  assert.deepEqual(argv, [
    "run",
    "lr=0.01", "optimizer={'name': 'adam'}", "amp=True", "ema=False", "layers=[1, 2]",
    "|",
    "--lr=0.01", "--optimizer={'name': 'adam'}", "--amp", "--layers=[1, 2]",
    "|",
    "--lr", "0.01", "--optimizer", "{'name': 'adam'}", "--amp", "True", "--ema", "False", "--layers", "[1, 2]",
  ]);
});

test("scalar macros work whole or inside a token; args_json carries the nested config", () => {
  const argv = buildCommand({ ...base, template: ["${program}", "${args_json}", "--cfg=${args_json_file}", "--token=${envvar:TOKEN}"] });
  assert.deepEqual(argv, ["train.py", '{"lr": 0.01, "optimizer": {"name": "adam"}, "amp": true, "ema": false, "layers": [1, 2]}', "--cfg=/tmp/params.json", "--token=s3cret"]);
  assert.deepEqual(buildCommand({ ...base, platform: "win32", template: ["${env}", "${program}"] }), ["train.py"]);
});

test("a hostile value stays one literal argument", () => {
  const evil = "$(touch pwned); rm -rf x";
  assert.deepEqual(buildCommand({ ...base, params: { cmd: evil }, config: { cmd: evil }, template: ["${args}"] }), [`--cmd=${evil}`]);
});

test("mistakes in the template are named, with what was expected", () => {
  assert.throws(() => buildCommand({ ...base, template: ["${arg}"] }), (e: unknown) => e instanceof CommandError && /unknown macro \$\{arg\}; expected one of .*\$\{args\}/.test(e.message));
  assert.throws(() => buildCommand({ ...base, template: ["--x=${args}"] }), /put it in a token of its own/);
  assert.throws(() => buildCommand({ ...base, template: ["${envvar:NOPE}"] }), /NOPE is not set/);
  assert.throws(() => buildCommand({ ...base, program: undefined }), /has no `program:`/);
});

test("values are formatted like Python's str() for argparse compatibility", () => {
  assert.equal(formatArgValue(true), "True");
  assert.equal(formatArgValue(null), "None");
  assert.equal(formatArgValue(1e-5), "1e-05");
  assert.equal(formatArgValue({ a: 1 }), "{'a': 1}");
});
