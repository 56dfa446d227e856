/**
 * SqliteStorage shared by real processes: atomic claiming under contention, and a file that survives a
 * process killed in the middle of a transaction. Workers run test/storage/fixtures/storage-worker.ts
 * (compiled) in child `node` processes; nothing is mocked.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { SqliteStorage, type TrialRecord } from "../../src/storage/index.js";
import type { ClaimReport, WorkerTask } from "./fixtures/storage-worker.js";

const workerModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "fixtures", "storage-worker.js")).href;

const root = mkdtempSync(join(tmpdir(), "sweep-multiprocess-test-"));
after(() => rmSync(root, { recursive: true, force: true }));

interface Worker {
  readonly child: ChildProcess;
  /** Resolves with the next JSON line the worker prints. */
  next(): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function startWorker(task: WorkerTask): Worker {
  const code = `import(${JSON.stringify(workerModule)}).then((m) => m.main(JSON.parse(process.argv[1])))`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code, JSON.stringify(task)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (exitCode, signal) => resolve({ code: exitCode, signal, stderr })),
  );
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    exited,
    async next() {
      const line = await lines.next();
      if (line.done) {
        const { code: exitCode, stderr: errText } = await exited;
        throw new Error(`worker exited (code ${exitCode}) before printing a line; stderr:\n${errText}`);
      }
      return JSON.parse(line.value) as Record<string, unknown>;
    },
  };
}

/** Start `count` claim workers on one sweep, release them together, and collect their reports. */
async function runClaimWorkers(path: string, sweepId: string, count: number, maxTrials: number): Promise<ClaimReport[]> {
  const workers = Array.from({ length: count }, (_, i) =>
    startWorker({ kind: "claim", path, sweepId, worker: `agent-${i}`, maxTrials }),
  );
  for (const worker of workers) assert.deepEqual(await worker.next(), { ready: true });
  for (const worker of workers) worker.child.stdin!.end("go\n");
  const reports = await Promise.all(workers.map(async (worker) => (await worker.next()) as unknown as ClaimReport));
  for (const worker of workers) {
    const { code, stderr } = await worker.exited;
    assert.doesNotMatch(stderr, /locked|busy/i);
    assert.equal(code, 0, `worker failed:\n${stderr}`);
  }
  return reports;
}

/** Every trial claimed exactly once, by the worker the database names, and finished. */
function assertEachClaimedOnce(reports: readonly ClaimReport[], trials: readonly TrialRecord[]): void {
  const claimedBy = new Map<number, string>();
  for (const report of reports) {
    assert.equal(report.stopReason, "run_cap");
    for (const claim of report.claims) {
      assert.ok(!claimedBy.has(claim.id), `trial ${claim.id} claimed by ${claimedBy.get(claim.id)} and ${report.worker}`);
      claimedBy.set(claim.id, report.worker);
    }
  }
  assert.equal(claimedBy.size, trials.length);
  for (const trial of trials) {
    assert.equal(claimedBy.get(trial.id), trial.worker, `trial ${trial.number} worker`);
    assert.equal(trial.status, "completed");
    assert.equal(trial.attempt, 1);
  }
}

describe("SqliteStorage shared by several processes", () => {
  it("four processes opening one brand-new file at once migrate it once and all write to it", async () => {
    const path = join(root, "fresh", "sweeps.db");
    const workers = Array.from({ length: 4 }, (_, i) => startWorker({ kind: "create-sweep", path, name: `s${i}` }));
    const created = await Promise.all(workers.map(async (worker) => (await worker.next()).created as string));
    for (const worker of workers) {
      const { code, stderr } = await worker.exited;
      assert.equal(code, 0, `worker failed:\n${stderr}`);
    }
    const storage = await SqliteStorage.open(path);
    const sweeps = await storage.listSweeps();
    assert.deepEqual(sweeps.map((s) => s.id).sort(), [...created].sort());
    assert.deepEqual(sweeps.map((s) => s.name).sort(), ["s0", "s1", "s2", "s3"]);
    await storage.close();
  });

  it("four processes claiming to maxTrials=200 create exactly trials 0..199, each claimed once", async () => {
    const path = join(root, "claims.db");
    const setup = await SqliteStorage.open(path);
    const sweep = await setup.createSweep({ configRaw: "{}", config: {} });

    const reports = await runClaimWorkers(path, sweep.id, 4, 200);

    const trials = await setup.listTrials(sweep.id);
    assert.equal(trials.length, 200);
    assert.deepEqual(
      trials.map((t) => t.number),
      Array.from({ length: 200 }, (_, i) => i),
    );
    // The proposer ran under the lock: each saw the true next number, so params match numbers exactly.
    assert.ok(trials.every((t) => t.params.x === t.number));
    assertEachClaimedOnce(reports, trials);
    assert.equal(
      reports.reduce((sum, r) => sum + r.proposeCalls, 0),
      200,
      "no proposal was wasted on a trial that was never created",
    );
    assert.ok(reports.every((r) => r.claims.every((c) => c.fresh)));
    const busyWorkers = reports.filter((r) => r.claims.length > 0).length;
    assert.ok(busyWorkers >= 2, `claims should spread over workers: ${reports.map((r) => r.claims.length).join(", ")}`);
    await setup.close();
  });

  it("four processes share 20 queued trials: each is claimed exactly once and nothing new is proposed", async () => {
    const path = join(root, "queued.db");
    const setup = await SqliteStorage.open(path);
    const sweep = await setup.createSweep({ configRaw: "{}", config: {} });
    for (let i = 0; i < 20; i++) await setup.enqueueTrial(sweep.id, { q: i });

    const reports = await runClaimWorkers(path, sweep.id, 4, 20);

    const trials = await setup.listTrials(sweep.id);
    assert.equal(trials.length, 20);
    assert.deepEqual(
      trials.map((t) => t.params.q),
      Array.from({ length: 20 }, (_, i) => i),
    );
    assertEachClaimedOnce(reports, trials);
    assert.ok(reports.every((r) => r.proposeCalls === 0 && r.claims.every((c) => !c.fresh)));
    await setup.close();
  });

  it("a process killed with SIGKILL mid-write leaves a readable file with no half-written step", async () => {
    const path = join(root, "crash.db");
    const setup = await SqliteStorage.open(path);
    const sweep = await setup.createSweep({ configRaw: "{}", config: {} });
    const claim = await setup.claimTrial(sweep.id, { worker: "parent", propose: () => ({ params: {} }) });
    assert.ok("trial" in claim);
    await setup.close();

    const metricsPerStep = 40;
    const worker = startWorker({ kind: "write-steps", path, trialId: claim.trial.id, metricsPerStep });
    assert.deepEqual(await worker.next(), { ready: true });
    let lastAnnounced = -1;
    while (lastAnnounced < 150) lastAnnounced = (await worker.next()).committed as number;
    worker.child.kill("SIGKILL");
    const { signal } = await worker.exited;
    assert.equal(signal, "SIGKILL");

    const raw = new Database(path);
    assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
    raw.close();

    const reader = await SqliteStorage.open(path);
    const rows = await reader.listIntermediates({ trialId: claim.trial.id });
    const perStep = new Map<number, number>();
    for (const row of rows) {
      perStep.set(row.step, (perStep.get(row.step) ?? 0) + 1);
      assert.equal(row.value, row.step + Number(row.name.slice(1)) / 1000);
    }
    const steps = [...perStep.keys()];
    assert.ok(steps.length > lastAnnounced, `every announced step (0..${lastAnnounced}) survived; found ${steps.length}`);
    assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i), "steps are contiguous from 0");
    for (const [step, count] of perStep) assert.equal(count, metricsPerStep, `step ${step} is complete`);
    // The file still takes writes after recovery.
    await reader.addIntermediate(claim.trial.id, steps.length, { m000: 0 });
    await reader.close();
  });
});
