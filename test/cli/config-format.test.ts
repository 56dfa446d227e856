/**
 * A sweep whose stored config this version cannot read (written by a newer sweep, or damaged by hand) is a
 * storage problem with exit 8 and a message that says which format, not an internal error (exit 1).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { ExitCode } from "../../src/exit-codes.js";
import { packageRoot } from "../../src/runner/package-paths.js";
import { Sweep } from "../../src/study/index.js";
import { Workspace } from "../runner/harness.js";

const ws = new Workspace();
after(() => ws.dispose());

test("resume of a sweep stored in an unknown config format exits 8 and names the format", async () => {
  const storage = await ws.openStorage();
  const sweep = await Sweep.create(storage, ws.resolved("method: random\nrun_cap: 1\nparameters:\n  x: {min: 0.0, max: 1.0}\n"));
  await storage.close();
  const db = new Database(ws.db);
  db.prepare("UPDATE sweeps SET config_json = ? WHERE id = ?").run(JSON.stringify({ format: 2, config: {} }), sweep.id);
  db.close();

  const r = spawnSync(process.execPath, [join(packageRoot, "bin", "sweep.js"), "resume", sweep.id, "--gpus", "none", "--storage", ws.db], { cwd: ws.dir, env: ws.env(), encoding: "utf8" });
  assert.equal(r.status, ExitCode.storageUnavailable, r.stderr);
  assert.match(r.stderr, new RegExp(`sweep '${sweep.id}' in .* has a config format this version cannot read \\(format 2; this version reads format 1\\)`));
  assert.doesNotMatch(r.stderr, /internal error/);
});
