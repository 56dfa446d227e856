/**
 * Slurm as an executor, on a real single-node Slurm (cluster.ts: munged, slurmctld, slurmd started here)
 * with a real PostgreSQL server (pg-server.ts), the fake nvidia-smi and the fake trainer. Every sweep is
 * submitted with `sweep slurm submit` as a user would, runs as a job array of `sweep agent`s, and is judged
 * from the storage and the trainers' own records: every trial run to completion exactly once.
 *
 * Skipped, with the reason, where Slurm or PostgreSQL is not installed or the tests do not run as root.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { openStorage } from "../../src/storage/index.js";
import type { Storage, TrialRecord } from "../../src/storage/types.js";
import { knownWorkers } from "../../src/runner/worker.js";
import { formatSlurmIds } from "../../src/runner/slurm/env.js";
import { cliMain } from "../helpers/paths.js";
import { Workspace } from "../runner/harness.js";
import { POSTGRES_MISSING, startPgServer, type PgServer } from "../storage/pg-server.js";
import { slurmMissing, startSlurmCluster, type SlurmCluster } from "./cluster.js";

const missing = slurmMissing();
let cluster: SlurmCluster | null = null;
let pg: PgServer | null = null;
let pgMissing = false;

before(async () => {
  if (missing !== null) return;
  pg = await startPgServer();
  if (pg === null) {
    pgMissing = true;
    return;
  }
  cluster = await startSlurmCluster();
});

after(async () => {
  await cluster?.stop();
  await pg?.stop();
});

/** Generous: two shared cores, Slurm's own scheduling and time-limit passes (up to a minute each). */
const LONG = 240_000;

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `sweep` CLI as a user would, in the workspace, with the cluster's SLURM_CONF. */
function sweep(ws: Workspace, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliMain, ...args], { cwd: ws.dir, env: cluster!.env(ws.env(extraEnv)), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function submit(ws: Workspace, target: string, storage: string, args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ sweepId: string; jobId: string; out: CliResult }> {
  const out = await sweep(ws, ["slurm", "submit", target, "--storage", storage, ...args], extraEnv);
  assert.equal(out.code, 0, `sweep slurm submit failed:\n${out.stderr}\n${out.stdout}`);
  const m = /sweep (\w+): submitted Slurm job (\d+)/.exec(out.stdout);
  assert.ok(m, out.stdout);
  return { sweepId: m[1]!, jobId: m[2]!, out };
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = LONG, diagnose?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${diagnose ? `\n${await diagnose()}` : ""}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

const ENDED = new Set(["COMPLETED", "CANCELLED", "FAILED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"]);

/** Waits until every task of the job has ended; returns their states. */
async function jobEnded(jobId: string, tasks: number, diagnose?: () => Promise<string>): Promise<Map<string, string>> {
  return until(
    `Slurm job ${jobId} to end`,
    async () => {
      const states = await cluster!.tasks(jobId);
      return states.size >= tasks && [...states.values()].every((s) => ENDED.has(s)) ? states : null;
    },
    LONG,
    diagnose,
  );
}

/** Every trial completed, each by one attempt that the trainer ran to its end, and no completed trial run twice. */
function assertExactlyOnce(ws: Workspace, trials: readonly TrialRecord[], runCap: number): void {
  assert.equal(trials.length, runCap, "run_cap trials, no more");
  assert.deepEqual(trials.map((t) => t.status), trials.map(() => "completed"));
  const records = ws.trainerRecords();
  for (const t of trials) {
    const finished = records.filter((r) => r.number === t.number && r.finished);
    assert.equal(finished.length, 1, `trial ${t.number} ran to its end ${finished.length} times`);
    assert.equal(finished[0]!.attempt, t.attempt, `trial ${t.number}: the finished run is the recorded attempt`);
  }
}

function sweepFile(ws: Workspace, name: string, runCap: number, epochs: number, epochMs: number): string {
  return ws.sweepFile(
    name,
    `method: random
metric: {name: score, goal: maximize}
run_cap: ${runCap}
parameters:
  x: {distribution: uniform, min: 0, max: 1}
  epochs: {value: ${epochs}}
  epoch_ms: {value: ${epochMs}}
`,
  );
}

async function diagnostics(ws: Workspace, storage: Storage, sweepId: string): Promise<string> {
  const trials = await storage.listTrials(sweepId);
  const events = await storage.listEvents(sweepId);
  const squeue = await cluster!.run("squeue", ["-h", "-r", "-t", "all", "-o", "%i|%T|%R"]).catch((e: Error) => e.message);
  return [
    `trials: ${trials.map((t) => `${t.number}:${t.status}#${t.attempt}@${t.worker}`).join(" ")}`,
    `events: ${events.map((e) => e.kind).join(" ")}`,
    `squeue:\n${squeue}`,
    `outputs: ${(await sweep(ws, ["slurm", "status", sweepId, "--storage", storage.location])).stdout}`,
    cluster!.logs(40),
  ].join("\n");
}

describe("Slurm: sweeps as job arrays on a real single-node cluster", { skip: missing ?? undefined }, () => {
  test("a 4-task array completes run_cap trials exactly once, each worker on the one GPU Slurm gave it", { timeout: LONG + 60_000 }, async (t) => {
    if (pgMissing) return t.skip(POSTGRES_MISSING);
    const ws = new Workspace();
    const url = await pg!.freshSchema();
    const storage = await openStorage(url);
    try {
      const file = sweepFile(ws, "four", 12, 4, 250);
      const { sweepId, jobId, out } = await submit(ws, file, url, ["--workers", "4", "--gpus-per-worker", "1"]);
      assert.match(out.stdout, /4 worker\(s\) \(array 0-3\), 1 GPU\(s\) each/);
      assert.match(out.stdout, /PostgreSQL: workers on any node share it/);
      const states = await jobEnded(jobId, 4, () => diagnostics(ws, storage, sweepId));
      assert.deepEqual([...states.values()], ["COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"], JSON.stringify([...states]));

      const trials = await storage.listTrials(sweepId);
      assertExactlyOnce(ws, trials, 12);
      assert.equal((await storage.getSweep(sweepId))!.status, "finished");

      // Each worker announced its array task, and pinned its trials only to the GPU Slurm gave that task.
      const workers = [...(await knownWorkers(storage, sweepId)).values()];
      assert.equal(workers.length, 4);
      assert.deepEqual(workers.map((w) => w.slurm?.arrayJobId), [jobId, jobId, jobId, jobId]);
      assert.deepEqual(workers.map((w) => w.slurm!.arrayTaskId).sort(), ["0", "1", "2", "3"]);
      const gpusOf = new Map<string, Set<string>>();
      for (const trial of trials) {
        const set = gpusOf.get(trial.worker!) ?? new Set<string>();
        set.add(trial.gpus!);
        gpusOf.set(trial.worker!, set);
      }
      for (const [worker, gpus] of gpusOf) assert.equal(gpus.size, 1, `${worker} used GPUs ${[...gpus].join(" and ")}`);
      const used = [...gpusOf.values()].map((s) => [...s][0]!);
      assert.equal(new Set(used).size, used.length, `two workers shared a GPU: ${used.join(",")}`);
      for (const r of ws.trainerRecords()) assert.match(r.cuda ?? "", /^[0-3]$/);

      // ls and show name the job and each trial's array task; slurm status maps the states.
      const ls = await sweep(ws, ["ls", "--storage", url]);
      assert.match(ls.stdout, new RegExp(`SLURM JOBS[\\s\\S]*${sweepId}.*${jobId}`));
      const show = await sweep(ws, ["show", sweepId, "--storage", url, "--format", "json"]);
      // CLI JSON is snake_case throughout (docs/cli.md).
      const shown = JSON.parse(show.stdout) as { trials: { worker: string; slurm?: { array_job_id: string; array_task_id: string } }[]; slurm_jobs: { job_id: string }[] };
      assert.deepEqual(shown.slurm_jobs.map((j) => j.job_id), [jobId]);
      for (const trial of shown.trials) assert.equal(trial.slurm?.array_job_id, jobId);
      const table = await sweep(ws, ["show", sweepId, "--storage", url]);
      assert.match(table.stdout, new RegExp(`SLURM[\\s\\S]*${jobId}_[0-3]`));
      const status = await sweep(ws, ["slurm", "status", sweepId, "--storage", url]);
      assert.equal(status.code, 0, status.stderr);
      for (let task = 0; task < 4; task++) assert.match(status.stdout, new RegExp(`${jobId}_${task}\\s+COMPLETED\\s+${cluster!.node}\\s+\\S+:\\d+`));
    } finally {
      await storage.close();
      ws.dispose();
    }
  });

  test("array tasks ended mid-trial (scancel; a worker killed with -9): their trials are recovered by the other workers", { timeout: LONG + 60_000 }, async (t) => {
    if (pgMissing) return t.skip(POSTGRES_MISSING);
    const ws = new Workspace();
    const url = await pg!.freshSchema();
    const storage = await openStorage(url);
    try {
      const file = sweepFile(ws, "cancel", 10, 12, 500); // 6 s a trial
      const { sweepId, jobId } = await submit(ws, file, url, ["--workers", "4"]);
      const diagnose = () => diagnostics(ws, storage, sweepId);
      // The worker of a task, once it runs a trial.
      const busyWorker = (task: string) =>
        until(
          `task ${task} to run a trial`,
          async () => {
            const worker = [...(await knownWorkers(storage, sweepId)).values()].find((w) => w.slurm && formatSlurmIds(w.slurm) === `${jobId}_${task}`);
            if (!worker) return null;
            const running = (await storage.listTrials(sweepId, { status: ["running"] })).filter((tr) => tr.worker === worker.name && tr.pid !== null);
            return running.length > 0 ? { worker: worker.name, pid: worker.pid, trials: running.map((tr) => tr.number) } : null;
          },
          LONG,
          diagnose,
        );
      const term = await busyWorker("1");
      const kill = await busyWorker("2");
      await cluster!.run("scancel", [`${jobId}_1`]); // SIGTERM to the task: its worker requeues its trial
      // A worker that dies on the spot (a node failure, the OOM killer). Not `scancel -s KILL`: Slurm (22.05)
      // turns that into its usual cancel, SIGTERM first and SIGKILL after KillWait, which the test above covers.
      process.kill(kill.pid, "SIGKILL");
      const states = await jobEnded(jobId, 4, diagnose);
      assert.equal(states.get(`${jobId}_0`), "COMPLETED");
      assert.equal(states.get(`${jobId}_3`), "COMPLETED");
      assert.notEqual(states.get(`${jobId}_1`), "COMPLETED");
      assert.notEqual(states.get(`${jobId}_2`), "COMPLETED");

      const trials = await storage.listTrials(sweepId);
      assertExactlyOnce(ws, trials, 10);
      const events = await storage.listEvents(sweepId);
      // The terminated worker put its trial back itself; the killed one's was recovered by another worker.
      for (const n of term.trials) {
        assert.ok(events.some((e) => e.kind === "trial_requeued" && (e.data as { number: number }).number === n && (e.data as { by: string }).by === term.worker), `trial ${n} of the cancelled task was not requeued by its worker`);
        assert.notEqual(trials[n]!.worker, term.worker);
      }
      for (const n of kill.trials) {
        const recovered = events.some((e) => ["trial_recovered", "trial_reattached", "trial_adopted"].includes(e.kind) && (e.data as { number: number }).number === n);
        assert.ok(recovered, `trial ${n} of the killed task (${kill.worker}) was not recovered: ${JSON.stringify(events.filter((e) => e.kind !== "worker_started").map((e) => [e.kind, e.data]))}`);
      }
      assert.equal((await storage.getSweep(sweepId))!.status, "finished");
    } finally {
      await storage.close();
      ws.dispose();
    }
  });

  test("a time limit: Slurm's warning signal interrupts and requeues the trials; they finish after resubmission", { timeout: 2 * LONG + 60_000 }, async (t) => {
    if (pgMissing) return t.skip(POSTGRES_MISSING);
    const ws = new Workspace();
    const url = await pg!.freshSchema();
    const storage = await openStorage(url);
    try {
      // Trials of 200 s under a 2-minute limit with the warning 30 s before it: none can finish in the first job.
      // Slurm sends the warning up to 60 s earlier than asked (sbatch(1), --signal; its time-limit pass runs every
      // 30 s), so it comes 30 to 90 s after the start. A 1-minute limit with the warning at 50 s made it come
      // at any moment, sometimes one second in, before any worker had claimed a trial (seen twice under load).
      const file = sweepFile(ws, "limit", 4, 200, 1_000);
      const { sweepId, jobId } = await submit(ws, file, url, ["--workers", "2", "--time", "2", "--sbatch-arg=--signal=B:TERM@30"]);
      const diagnose = () => diagnostics(ws, storage, sweepId);
      const states = await jobEnded(jobId, 2, diagnose);
      assert.equal([...states.values()].filter((s) => s === "COMPLETED").length, 0, JSON.stringify([...states]));
      const interrupted = await storage.listTrials(sweepId);
      assert.ok(interrupted.length >= 2, `the first job ended as ${JSON.stringify([...states])} with ${interrupted.length} trial(s)\n${await diagnose()}`);
      assert.deepEqual(interrupted.map((tr) => tr.status), interrupted.map(() => "queued"), (await diagnose()));
      const requeued = (await storage.listEvents(sweepId)).filter((e) => e.kind === "trial_requeued");
      assert.equal(requeued.length, interrupted.length);
      assert.equal(ws.trainerRecords().filter((r) => r.finished).length, 0);

      // Resubmitted without the limit (and with quick epochs): the requeued trials finish, nothing runs twice.
      const again = await submit(ws, sweepId, url, ["--workers", "2"], { FAKE_TRAINER_EPOCH_MS: "100" });
      await jobEnded(again.jobId, 2, diagnose);
      const trials = await storage.listTrials(sweepId);
      assertExactlyOnce(ws, trials, 4);
      for (const tr of interrupted) assert.equal(trials[tr.number]!.attempt, 2, `trial ${tr.number} was requeued once`);
      assert.equal((await storage.getSweep(sweepId))!.status, "finished");
    } finally {
      await storage.close();
      ws.dispose();
    }
  });

  test("SQLite: refused when the tasks may land on several nodes (nothing created), used when the partition has one node", { timeout: LONG + 60_000 }, async () => {
    const ws = new Workspace();
    try {
      const file = sweepFile(ws, "sqlite", 3, 2, 100);
      const refused = await sweep(ws, ["slurm", "submit", file, "--storage", ws.db, "--workers", "2", "--sbatch-arg=--nodelist=nodeA,nodeB"]);
      assert.equal(refused.code, 8, refused.stderr);
      assert.match(refused.stderr, /SQLite storage .* cannot be shared by workers on several nodes \(--nodelist names 2 nodes\): SQLite's locking does not hold over NFS/);
      assert.equal(existsSync(ws.db), false, "nothing stored");

      // The test cluster's only partition has one node: every task shares this machine's SQLite file.
      const { sweepId, jobId, out } = await submit(ws, file, ws.db, ["--workers", "2"]);
      assert.match(out.stdout, new RegExp(`SQLite: partition \\(default\\) has one node, ${cluster!.node}`));
      const storage = await openStorage(ws.db);
      try {
        await jobEnded(jobId, 2, () => diagnostics(ws, storage, sweepId));
        assertExactlyOnce(ws, await storage.listTrials(sweepId), 3);
      } finally {
        await storage.close();
      }
    } finally {
      ws.dispose();
    }
  });

  test("sweep stop: the trials stop gracefully, then the sweep's Slurm jobs are cancelled (pending tasks never start)", { timeout: LONG + 60_000 }, async (t) => {
    if (pgMissing) return t.skip(POSTGRES_MISSING);
    const ws = new Workspace();
    const url = await pg!.freshSchema();
    const storage = await openStorage(url);
    try {
      const file = sweepFile(ws, "stop", 20, 200, 500);
      // 3 GPUs a task on a 4-GPU node: one task runs, the others wait for resources.
      const { sweepId, jobId } = await submit(ws, file, url, ["--workers", "3", "--gpus-per-worker", "3"]);
      const diagnose = () => diagnostics(ws, storage, sweepId);
      await until("a trial to run", async () => (await storage.listTrials(sweepId, { status: ["running"] })).some((tr) => tr.pid !== null), LONG, diagnose);
      const pendingBefore = [...(await cluster!.tasks(jobId)).values()].filter((s) => s === "PENDING").length;
      assert.equal(pendingBefore, 2);

      const stop = await sweep(ws, ["stop", sweepId, "--storage", url]);
      assert.equal(stop.code, 0, stop.stderr);
      assert.match(stop.stdout, new RegExp(`cancelled Slurm job\\(s\\) ${jobId} \\(scancel\\)`));
      const states = await jobEnded(jobId, 3, diagnose);
      assert.equal([...states.values()].filter((s) => s === "CANCELLED").length >= 2, true, JSON.stringify([...states]));
      const trials = await storage.listTrials(sweepId);
      assert.deepEqual(trials.map((tr) => tr.status), trials.map(() => "interrupted"), "stopped trials wait for a resume, not requeued");
      assert.equal((await storage.getSweep(sweepId))!.status, "stopped");
      assert.ok((await storage.listEvents(sweepId)).some((e) => e.kind === "slurm_cancelled"));
      const status = await sweep(ws, ["slurm", "status", sweepId, "--storage", url]);
      assert.match(status.stdout, /CANCELLED/);
    } finally {
      await storage.close();
      ws.dispose();
    }
  });
});
