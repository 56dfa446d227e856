/**
 * Liveness across hosts does not trust wall clocks: two controllers on one PostgreSQL sweep, the second on
 * "another host" (its own UTS namespace, so its own hostname) whose clock runs 5 minutes fast (libfaketime).
 * Heartbeats are written and judged on the database server's clock, so the healthy host's trials are never
 * taken over as stale, and the skew is reported.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, test } from "node:test";
import { ExitCode } from "../../src/exit-codes.js";
import { openStorage } from "../../src/storage/index.js";
import { POSTGRES_MISSING, startPgServer } from "../storage/pg-server.js";
import { Workspace, sweepIdFrom } from "./harness.js";

const FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
const server = existsSync(FAKETIME) ? await startPgServer() : null;
const ws = new Workspace();
after(async () => {
  await server?.stop();
  ws.dispose();
});

const skip = !existsSync(FAKETIME) ? "libfaketime is not installed (apt-get install faketime)" : server === null ? POSTGRES_MISSING : false;

test("a host whose clock is 5 minutes fast never takes over a healthy host's trials, and says its clock is off", { skip, timeout: 90_000 }, async () => {
  const url = await server!.freshSchema();
  const file = ws.sweepFile("skew", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [0, 1, 2, 3, 4, 5]}\n  epochs: {value: 4}\n  epoch_ms: {value: 200}\n");
  const a = ws.spawnCli(["run", file, "--gpus", "0"], {}, { storage: url });
  await a.waitForOutput(/trial 0 started/, 30_000);
  const sweepId = sweepIdFrom(a.stderr);
  const b = ws.spawnCli(["agent", sweepId, "--gpus", "1"], { LD_PRELOAD: FAKETIME, FAKETIME: "+300s", FAKETIME_DONT_RESET: "1" }, {
    storage: url,
    prefix: ["unshare", "--uts", "--", "sh", "-c", 'hostname skewed-host && exec "$@"', "sh"],
  });
  const [ea, eb] = await Promise.all([a.exited, b.exited]);
  assert.equal(ea.code, ExitCode.ok, a.stderr);
  assert.equal(eb.code, ExitCode.ok, b.stderr);
  assert.match(b.stderr, /this host's clock is 3\d\d\.\d s ahead of the storage server's/);

  const storage = await openStorage(url);
  try {
    const trials = await storage.listTrials(sweepId);
    assert.equal(trials.length, 6);
    assert.ok(trials.every((t) => t.status === "completed" && t.attempt === 1), JSON.stringify(trials.map((t) => [t.status, t.attempt])));
    const events = await storage.listEvents(sweepId);
    assert.deepEqual(events.filter((e) => e.kind === "trial_recovered" || e.kind === "trial_reclaimed" || e.kind === "trial_reattached"), []);
    assert.ok(trials.some((t) => t.worker?.startsWith("skewed-host:")), "the skewed host ran trials too");
    assert.ok(events.some((e) => e.kind === "clock_skew"));
  } finally {
    await storage.close();
  }
});
