/**
 * The chaos run behind docs/reliability.md: a sweep on 2 fake GPUs (one slot each) whose controller is killed
 * with SIGKILL again and again, at random moments and inside the launch window (right as a trial is
 * claimed), each time followed by `sweep resume`, until the sweep ends. A monitor samples every process of the
 * sweep (found by launch token) all along. What must hold:
 *
 *   - trials completed == run_cap, each trained to its end exactly once;
 *   - no two attempts of one trial ever alive at the same instant;
 *   - never more trials on a GPU than its slots (1);
 *   - no process of the sweep left at the end;
 *   - the database passes `PRAGMA integrity_check`.
 */
import Database from "better-sqlite3";
import { readFileSync, readdirSync } from "node:fs";
import { LAUNCH_TOKEN_VAR, sweepTokenPrefix } from "../../src/runner/launch-token.js";
import { ExitCode } from "../../src/exit-codes.js";
import { Workspace, sweepIdFrom, type ControllerProcess } from "../runner/harness.js";

export interface ChaosOptions {
  readonly kills: number;
  readonly runCap: number;
  readonly seed?: number;
  /** Milliseconds between monitor samples. */
  readonly sampleMs?: number;
  readonly log?: (line: string) => void;
}

export interface ChaosFigures {
  readonly kills: number;
  readonly killsInLaunchWindow: number;
  readonly controllerRuns: number;
  readonly runCap: number;
  readonly completed: number;
  readonly otherStatuses: Record<string, number>;
  /** Trials whose trainer ran to its end more than once (should be 0). */
  readonly trainedTwice: number;
  readonly trainerRuns: number;
  /** Samples in which two attempts of one trial were alive together (should be 0). */
  readonly overlappingAttempts: number;
  /** Most trials seen alive on one GPU in one sample (should be <= 1). */
  readonly maxTrialsPerGpu: number;
  readonly samples: number;
  readonly leftoverProcesses: number;
  readonly reattached: number;
  readonly adopted: number;
  readonly requeued: number;
  readonly integrity: string;
  readonly seconds: number;
}

/** Deterministic PRNG (mulberry32), so a failing chaos run can be replayed with its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Token and CUDA_VISIBLE_DEVICES of every live process of the sweep. */
function sweepProcesses(prefix: string): { token: string; gpus: string }[] {
  const found: { token: string; gpus: string }[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let env: string;
    try {
      env = readFileSync(`/proc/${name}/environ`, "latin1");
    } catch {
      continue;
    }
    const vars = env.split("\0");
    const token = vars.find((v) => v.startsWith(`${LAUNCH_TOKEN_VAR}=`))?.slice(LAUNCH_TOKEN_VAR.length + 1);
    if (!token || !token.startsWith(prefix)) continue;
    const gpus = vars.find((v) => v.startsWith("CUDA_VISIBLE_DEVICES="))?.slice("CUDA_VISIBLE_DEVICES=".length) ?? "?";
    found.push({ token, gpus });
  }
  return found;
}

class Monitor {
  samples = 0;
  overlapping = 0;
  maxPerGpu = 0;
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly prefix: () => string | null,
    sampleMs: number,
  ) {
    this.done = (async () => {
      while (this.running) {
        const prefix = this.prefix();
        if (prefix) this.sample(prefix);
        await sleep(sampleMs);
      }
    })();
  }

  private sample(prefix: string): void {
    const procs = sweepProcesses(prefix);
    this.samples++;
    const attemptsByTrial = new Map<string, Set<string>>();
    const tokensByGpu = new Map<string, Set<string>>();
    for (const p of procs) {
      const [, trialId, attempt] = p.token.split(".");
      const attempts = attemptsByTrial.get(trialId!) ?? new Set();
      attempts.add(attempt!);
      attemptsByTrial.set(trialId!, attempts);
      const tokens = tokensByGpu.get(p.gpus) ?? new Set();
      tokens.add(p.token);
      tokensByGpu.set(p.gpus, tokens);
    }
    if ([...attemptsByTrial.values()].some((a) => a.size > 1)) this.overlapping++;
    for (const tokens of tokensByGpu.values()) this.maxPerGpu = Math.max(this.maxPerGpu, tokens.size);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosFigures> {
  const started = Date.now();
  const random = rng(opts.seed ?? 1);
  const log = opts.log ?? (() => undefined);
  const ws = new Workspace();
  let sweepId: string | null = null;
  const monitor = new Monitor(() => (sweepId ? sweepTokenPrefix(sweepId) : null), opts.sampleMs ?? 15);
  const file = ws.sweepFile(
    "chaos",
    [
      "method: random",
      "metric: {name: score, goal: maximize}",
      `run_cap: ${opts.runCap}`,
      "parameters:",
      "  x: {min: 0.0, max: 1.0}",
      "  epochs: {value: 3}",
      "  epoch_ms: {value: 120}",
    ].join("\n") + "\n",
  );
  let kills = 0;
  let inWindow = 0;
  let runs = 0;
  try {
    for (;;) {
      const args = sweepId === null ? ["run", file, "--gpus", "0,1", "--grace-period", "2"] : ["resume", sweepId, "--gpus", "0,1", "--grace-period", "2"];
      const controller: ControllerProcess = ws.spawnCli(args);
      runs++;
      if (sweepId === null) {
        await controller.waitForOutput(/sweep [a-z0-9]{8}/, 30_000);
        sweepId = sweepIdFrom(controller.stderr);
      }
      if (kills < opts.kills) {
        const targeted = random() < 0.5;
        const storage = await ws.openStorage();
        try {
          if (targeted) {
            // The launch window: the moment a trial is claimed, before (or just as) its trainer starts.
            const before = new Set((await storage.listTrials(sweepId)).filter((t) => t.status === "running").map((t) => `${t.id}.${t.attempt}`));
            const deadline = Date.now() + 10_000;
            while (Date.now() < deadline && controller.child.exitCode === null) {
              const now = (await storage.listTrials(sweepId)).filter((t) => t.status === "running").map((t) => `${t.id}.${t.attempt}`);
              if (now.some((k) => !before.has(k))) break;
              await sleep(2);
            }
          } else {
            await sleep(Math.floor(random() * 1500));
          }
        } finally {
          await storage.close();
        }
        if (controller.child.exitCode === null) {
          controller.child.kill("SIGKILL");
          kills++;
          if (targeted) inWindow++;
          log(`kill ${kills}${targeted ? " (launch window)" : ""}`);
        }
        const ended = await controller.exited;
        if (ended.signal !== "SIGKILL" && ended.code === ExitCode.ok) break;
        continue;
      }
      const ended = await controller.exited;
      if (ended.code !== ExitCode.ok) throw new Error(`the final resume ended with ${ended.code ?? ended.signal}:\n${controller.stderr}`);
      break;
    }
    // Every process of the sweep must be gone once the last controller has exited.
    await sleep(200);
    await monitor.stop();
    const leftover = sweepId ? sweepProcesses(sweepTokenPrefix(sweepId)).length : 0;

    const storage = await ws.openStorage();
    let figures: Omit<ChaosFigures, "integrity" | "seconds">;
    try {
      const trials = await storage.listTrials(sweepId!);
      const events = await storage.listEvents(sweepId!);
      const records = ws.trainerRecords().filter((r) => r.env.SWEEP_ID === sweepId);
      const finishedRuns = new Map<number, number>();
      for (const r of records) if (r.finished) finishedRuns.set(r.number, (finishedRuns.get(r.number) ?? 0) + 1);
      const otherStatuses: Record<string, number> = {};
      for (const t of trials) if (t.status !== "completed") otherStatuses[t.status] = (otherStatuses[t.status] ?? 0) + 1;
      figures = {
        kills,
        killsInLaunchWindow: inWindow,
        controllerRuns: runs,
        runCap: opts.runCap,
        completed: trials.filter((t) => t.status === "completed").length,
        otherStatuses,
        trainedTwice: [...finishedRuns.values()].filter((n) => n > 1).length,
        trainerRuns: records.length,
        overlappingAttempts: monitor.overlapping,
        maxTrialsPerGpu: monitor.maxPerGpu,
        samples: monitor.samples,
        leftoverProcesses: leftover,
        reattached: events.filter((e) => e.kind === "trial_reattached").length,
        adopted: events.filter((e) => e.kind === "trial_adopted").length,
        requeued: events.filter((e) => e.kind === "trial_recovered").length,
      };
    } finally {
      await storage.close();
    }
    const db = new Database(ws.db, { readonly: true });
    const integrity = String(db.pragma("integrity_check", { simple: true }));
    db.close();
    return { ...figures, integrity, seconds: Math.round((Date.now() - started) / 100) / 10 };
  } finally {
    await monitor.stop();
    ws.dispose();
  }
}
