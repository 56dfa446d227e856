import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseSweepConfig } from "../../src/config/index.js";
import { LIST_MACROS, SCALAR_MACROS } from "../../src/config/keys.js";
import { buildCommand } from "../../src/runner/command.js";

const base = "method: random\nprogram: train.py\nparameters:\n  lr: {value: 0.1}\n";

test("every macro the validator accepts is one the runner expands", () => {
  for (const macro of [...SCALAR_MACROS, ...LIST_MACROS, "envvar:HOME"]) {
    const resolved = parseSweepConfig(`${base}command: ["\${${macro}}"]\n`);
    assert.deepEqual(resolved.warnings, [], macro);
    assert.doesNotThrow(
      () =>
        buildCommand({ template: resolved.config.command, program: "train.py", params: { lr: 0.1 }, config: { lr: 0.1 }, env: { HOME: "/root", PATH: "" }, argsJsonFile: "/tmp/p.json", interpreter: "python3" }),
      macro,
    );
  }
});

test("an unknown macro, or ${program} without a program, is an error with a suggestion", () => {
  assert.throws(() => parseSweepConfig(`${base}command: ["\${interpeter}", "\${args}"]\n`), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    const d = e.diagnostics.find((x) => x.path === "command[0]");
    assert.equal(d?.severity, "error");
    assert.equal(d?.suggestion, "${interpreter}");
    return true;
  });
  assert.throws(() => parseSweepConfig(`method: random\nparameters:\n  lr: {value: 0.1}\ncommand: [python, "\${program}"]\n`), /\$\{program\} is used but the sweep file has no "program"/);
});
