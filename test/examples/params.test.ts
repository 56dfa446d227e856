/** The example trainers' flag parsers accept what `${args}` writes: Python's `True`/`False` for booleans. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { boolean } from "../../examples/trainers/common/params.js";

test("booleans: W&B's True/False, true/false and 1/0; anything else is an error", () => {
  for (const raw of ["True", "true", "TRUE", "1"]) assert.equal(boolean(raw), true, raw);
  for (const raw of ["False", "false", "0"]) assert.equal(boolean(raw), false, raw);
  for (const raw of ["yes", "", "2"]) assert.ok(boolean(raw) instanceof Error, raw);
});
