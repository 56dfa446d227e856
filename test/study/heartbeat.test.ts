/**
 * `optimize(..., {heartbeat})`: a library process killed with SIGKILL mid-objective leaves its trial
 * `running`; another process with heartbeats on takes it back and runs it again (same params, attempt 2; on
 * SQLite and PostgreSQL), while a live process's long trial, heartbeating, is never taken. Real processes,
 * real storage, real signals.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, test } from "node:test";
import { createSweep, optimize } from "../../src/index.js";
import { openStorage } from "../../src/storage/index.js";
import { buildRoot } from "../helpers/paths.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "../storage/pg-server.js";

const dirs: string[] = [];
let server: PgServer | null = null;
before(async () => {
  server = await startPgServer();
});
after(async () => {
  await server?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "sweep-heartbeat-"));
  dirs.push(dir);
  return dir;
}

const HEARTBEAT = { interval: 0.2, staleAfter: 1.5 };
const config = (runCap: number) => ({
  name: "beating",
  method: "random",
  metric: { name: "loss", goal: "minimize" },
  parameters: { x: { distribution: "uniform", min: 0, max: 1 } },
  run_cap: runCap,
  sweep: { seed: 3 },
});

/** A node process that joins the sweep and runs `optimize` with heartbeats; its objective hangs for `hangMs` after writing `<dir>/started-<n>`. */
function startWorker(dir: string, db: string, runCap: number, hangMs: number, trials: number) {
  const script = join(dir, `worker-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(
    script,
    [
      `import { writeFileSync } from "node:fs";`,
      `import { createSweep, optimize } from ${JSON.stringify(pathToFileURL(join(buildRoot, "src", "index.js")).href)};`,
      `const sweep = await createSweep({ storage: ${JSON.stringify(db)}, config: ${JSON.stringify(config(runCap))}, loadIfExists: true });`,
      `await optimize(sweep, async (t) => {`,
      `  await t.report(1, { loss: t.params.x });`,
      `  writeFileSync(${JSON.stringify(dir)} + "/started-" + t.number, "");`,
      `  await new Promise((r) => setTimeout(r, ${hangMs}));`,
      `  return t.params.x;`,
      `}, { trials: ${trials}, worker: "child", heartbeat: ${JSON.stringify(HEARTBEAT)} });`,
      `await sweep.storage.close();`,
    ].join("\n"),
  );
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, exited };
}

async function waitFor(path: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > until) throw new Error(`${path} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

for (const backend of ["SQLite", "PostgreSQL"] as const) test(`${backend}: a process killed -9 mid-objective: a later process with heartbeats takes its trial back and runs it once more`, async (t) => {
  if (backend === "PostgreSQL" && server === null) return t.skip(POSTGRES_MISSING);
  const dir = tempDir();
  const db = backend === "SQLite" ? join(dir, "sweeps.db") : await server!.freshSchema();
  const { child, exited } = startWorker(dir, db, 4, 60_000, 1);
  await waitFor(join(dir, "started-0"));
  child.kill("SIGKILL");
  assert.equal((await exited).signal, "SIGKILL");

  const storage = await openStorage(db);
  try {
    const sweep = await createSweep({ storage, config: config(4), loadIfExists: true });
    const [dead] = await sweep.storage.listTrials(sweep.id, { status: ["running"] });
    assert.equal(dead?.number, 0, "the killed process's trial is left running");
    // Started at once (well within staleAfter): the dead trial is not stale yet, so the call runs the new
    // trials and then waits for trial 0 to go stale rather than return with it still running.
    const ran: number[] = [];
    const summary = await optimize(
      sweep,
      async (t) => {
        ran.push(t.number);
        await t.report(1, { loss: t.params.x as number });
        return t.params.x as number;
      },
      { heartbeat: HEARTBEAT, worker: "second" },
    );
    assert.equal(summary.stopReason, "run_cap");
    const trials = await sweep.storage.listTrials(sweep.id);
    assert.deepEqual(trials.map((t) => [t.number, t.status]), [[0, "completed"], [1, "completed"], [2, "completed"], [3, "completed"]]);
    assert.deepEqual(ran.slice().sort(), [0, 1, 2, 3], "each trial ran once here");
    const zero = trials[0]!;
    assert.equal(zero.attempt, 2, "trial 0 ran again as attempt 2");
    assert.equal(zero.params.x, dead!.params.x, "with the same params");
    assert.equal(zero.value, zero.params.x);
    const reclaimed = (await sweep.storage.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed");
    assert.equal(reclaimed.length, 1, "taken back once");
  } finally {
    await storage.close();
  }
});

test("a live process's long trial is never taken back: its heartbeats keep it fresh past staleAfter", async () => {
  const dir = tempDir();
  const db = join(dir, "sweeps.db");
  // The child's one trial runs 4 s, well past staleAfter (1.5 s); this process meanwhile runs the other two.
  const { exited } = startWorker(dir, db, 3, 4_000, 1);
  await waitFor(join(dir, "started-0"));
  const storage = await openStorage(db);
  try {
    const sweep = await createSweep({ storage, config: config(3), loadIfExists: true });
    const summary = await optimize(
      sweep,
      async (t) => {
        await new Promise((r) => setTimeout(r, 300));
        return t.params.x as number;
      },
      { heartbeat: HEARTBEAT, worker: "second" },
    );
    // It waited for the child's trial rather than return while it ran, and never took it.
    assert.deepEqual(summary.trials.map((t) => t.number).sort(), [1, 2]);
    const result = await exited;
    assert.equal(result.code, 0, result.stderr);
    const trials = await sweep.storage.listTrials(sweep.id);
    assert.deepEqual(trials.map((t) => [t.number, t.status, t.attempt, t.worker]), [
      [0, "completed", 1, "child"],
      [1, "completed", 1, "second"],
      [2, "completed", 1, "second"],
    ]);
    assert.equal((await sweep.storage.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed").length, 0);
  } finally {
    await storage.close();
  }
});

test("heartbeat settings are checked before anything is claimed", async () => {
  const storage = await openStorage(join(tempDir(), "sweeps.db"));
  try {
    const sweep = await createSweep({ storage, config: config(4) });
    await assert.rejects(optimize(sweep, () => 1, { heartbeat: { interval: 1, staleAfter: 1 } }), /heartbeat\.staleAfter must be .* > heartbeat\.interval \(1\), got 1/);
    await assert.rejects(optimize(sweep, () => 1, { heartbeat: { interval: 0 } }), /heartbeat\.interval must be a number of seconds > 0, got 0/);
    // From JavaScript: a misspelt key, a string for the switch, a string for a number.
    const untyped = (heartbeat: unknown) => optimize(sweep, () => 1, { heartbeat } as Parameters<typeof optimize>[2]);
    await assert.rejects(untyped({ intervall: 1 }), /unknown heartbeat setting "intervall"; expected interval, staleAfter/);
    await assert.rejects(untyped("yes"), /heartbeat must be true, false or \{interval, staleAfter\} \(seconds\), got "yes"/);
    await assert.rejects(untyped({ interval: "5" }), /heartbeat\.interval must be a number of seconds > 0, got "5"/);
    assert.equal((await sweep.storage.listTrials(sweep.id)).length, 0);
    // Off by default: a running trial of a dead process is left alone.
    const orphan = await sweep.ask();
    assert.ok(orphan);
    const summary = await optimize(sweep, (t) => t.params.x as number, { trials: 1 });
    assert.deepEqual(summary.trials.map((t) => t.number), [1]);
    assert.equal((await sweep.storage.getTrial(orphan.id))?.status, "running");
  } finally {
    await storage.close();
  }
});

test("an abort ends a call that waits for another process's trial, without waiting for the next check", { timeout: 20_000 }, async () => {
  const storage = await openStorage(join(tempDir(), "sweeps.db"));
  try {
    const sweep = await createSweep({ storage, config: config(1) });
    const elsewhere = await sweep.ask(); // another process's fresh trial: run_cap is reached and it is not stale
    assert.ok(elsewhere);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    // Checks every 60 s: without the abort ending the pause, this would outlast the test's 20 s timeout.
    const summary = await optimize(sweep, () => 1, { heartbeat: { interval: 60, staleAfter: 120 }, signal: abort.signal });
    assert.equal(summary.stopReason, "aborted");
    assert.deepEqual(summary.trials, []);
    assert.equal((await sweep.storage.getTrial(elsewhere.id))?.status, "running");
  } finally {
    await storage.close();
  }
});
