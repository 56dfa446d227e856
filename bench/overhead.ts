/**
 * Overhead: wall time of ask/tell loops with a trivial objective on a 4-parameter fine-tuning space, ours
 * and Optuna's, in memory, on SQLite and on PostgreSQL (a throw-away local server, the tests' own,
 * test/storage/pg-server.ts; Optuna reaches it through SQLAlchemy and psycopg2: Debian's python3-psycopg2);
 * the sampler's own cost at 1,000 and 10,000 completed trials; and how much of a SQLite ask is the storage
 * reading the sweep's history.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sample } from "../src/space/distributions.js";
import { createRng, deriveSeed } from "../src/space/rng.js";
import type { SearchSpace } from "../src/space/types.js";
import { TPESampler } from "../src/samplers/tpe/index.js";
import type { TrialView } from "../src/samplers/types.js";
import { openStorage } from "../src/storage/index.js";
import { createSweep } from "../src/study/index.js";
import pg from "pg";
import { startPgServer } from "../test/storage/pg-server.js";
import { callOptuna } from "./optuna.js";
import { quantile } from "./stats.js";

export const OVERHEAD_PARAMETERS = {
  lr: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 },
  batch_size: { values: [8, 16, 32, 64] },
  warmup_ratio: { distribution: "uniform", min: 0, max: 0.2 },
  weight_decay: { distribution: "uniform", min: 0, max: 0.1 },
} as const;

const OVERHEAD_SPACE: SearchSpace = {
  params: [
    { name: "lr", path: ["lr"], dist: { kind: "log_uniform_values", min: 1e-6, max: 1e-4 } },
    { name: "batch_size", path: ["batch_size"], dist: { kind: "categorical", values: [8, 16, 32, 64] } },
    { name: "warmup_ratio", path: ["warmup_ratio"], dist: { kind: "uniform", min: 0, max: 0.2 } },
    { name: "weight_decay", path: ["weight_decay"], dist: { kind: "uniform", min: 0, max: 0.1 } },
  ],
};

export interface LoopTiming {
  readonly trials: number;
  readonly totalS: number;
  /** Median ask() time over the last 50 asks (the history is then nearly full). */
  readonly lastAskMs: number;
  /** Set when the loop was stopped at a time cap before reaching the trials asked for (Optuna's long loops). */
  readonly cappedAtS?: number;
}

export type OverheadBackend = "memory" | "sqlite" | "postgres";

/** One loop size on one backend, ours and Optuna's (null: not run, with the reason in `notes`). */
export interface OverheadRow {
  readonly backend: OverheadBackend;
  readonly trials: number;
  readonly ours: LoopTiming;
  readonly optuna: LoopTiming | null;
}

export interface OverheadResult {
  readonly rows: readonly OverheadRow[];
  /** Why a backend or Optuna's side is missing, and how PostgreSQL was run. */
  readonly notes: readonly string[];
  /** TPESampler.suggest alone, median ms, at this many completed trials. */
  readonly suggestMs: Readonly<Record<number, number>>;
  /** Reading a 1,000-trial sweep's trials and curves from SQLite, median ms: what every claim pays before the sampler runs. */
  readonly sqliteHistoryReadMs: number;
}

/**
 * Optuna's long loop is stopped after this long. Its TPE re-reads and re-fits the whole history on every ask (and its
 * RDB storage re-reads it too), so 10,000 trials would take most of an hour per backend; the row then says how
 * far it got.
 */
const OPTUNA_CAP_S = 90;

const trivialObjective = (p: Record<string, unknown>): number => (p.lr as number) * 1e4 + (p.warmup_ratio as number);

async function ourLoop(location: string, trials: number, log?: (line: string) => void): Promise<{ timing: LoopTiming; readMs: number }> {
  const storage = await openStorage(location);
  const sweep = await createSweep({
    config: { method: "bayes", metric: { name: "loss", goal: "minimize" }, parameters: OVERHEAD_PARAMETERS, sweep: { seed: 1 } },
    storage,
  });
  const asks: number[] = [];
  const started = performance.now();
  for (let i = 0; i < trials; i++) {
    const t0 = performance.now();
    const trial = await sweep.ask();
    asks.push(performance.now() - t0);
    await sweep.tell(trial!, trivialObjective(trial!.params));
    if (log && (i + 1) % 1000 === 0) log(`    ${i + 1} trials: ${((performance.now() - started) / 1000).toFixed(1)} s, last ask ${asks[i]!.toFixed(1)} ms`);
  }
  const totalS = (performance.now() - started) / 1000;
  const reads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await storage.listTrials(sweep.id);
    await storage.listIntermediates({ sweepId: sweep.id, name: "loss" });
    reads.push(performance.now() - t0);
  }
  await storage.close();
  return { timing: { trials, totalS, lastAskMs: quantile(asks.slice(-50), 0.5) }, readMs: quantile(reads, 0.5) };
}

/** Median suggest() time with `n` completed trials of random points in the history. */
function suggestTime(n: number): number {
  const rng = createRng(`history:${n}`);
  const trials: TrialView[] = [];
  for (let i = 0; i < n; i++) {
    const params = Object.fromEntries(OVERHEAD_SPACE.params.map((p) => [p.name, sample(p.dist, rng)]));
    trials.push({ number: i, status: "completed", params, meta: {}, value: trivialObjective(params), intermediate: [] });
  }
  const sampler = new TPESampler();
  const times: number[] = [];
  for (let k = 0; k < 25; k++) {
    const t0 = performance.now();
    sampler.suggest({ space: OVERHEAD_SPACE, goal: "minimize", trials, rng: createRng(deriveSeed(1, n + k)), trialNumber: n + k });
    times.push(performance.now() - t0);
  }
  return quantile(times.slice(5), 0.5); // the first calls include JIT warm-up
}

/** Where each backend's loop keeps its trials: ours and Optuna's. */
interface BackendPlace {
  readonly backend: OverheadBackend;
  ours(): Promise<string>;
  optuna(): Promise<string>;
}

export async function runOverhead(options: { trials: number; large: number | null; optuna: boolean }, log: (line: string) => void): Promise<OverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), "sweep-bench-"));
  const notes: string[] = [];
  const server = await startPgServer().catch((err: Error) => {
    notes.push(`PostgreSQL left out: its server did not start (${err.message.split("\n")[0]})`);
    return null;
  });
  if (server === null && notes.length === 0) notes.push("PostgreSQL left out: not installed (apt-get install postgresql)");
  try {
    let files = 0;
    let optunaDatabases = 0;
    const places: BackendPlace[] = [
      { backend: "memory", ours: async () => ":memory:", optuna: async () => "memory" },
      { backend: "sqlite", ours: async () => join(dir, `sweep-${files++}.db`), optuna: async () => `sqlite:${join(dir, `optuna-${files++}.db`)}` },
    ];
    if (server !== null) {
      notes.push("PostgreSQL: a local server started for the run (the tests' own, test/storage/pg-server.ts), over TCP on 127.0.0.1; ours in a schema of its own, Optuna's in a database of its own (SQLAlchemy and psycopg2)");
      places.push({
        backend: "postgres",
        ours: () => server.freshSchema(),
        optuna: async () => {
          const name = `optuna_bench_${++optunaDatabases}`;
          const admin = new pg.Client({ connectionString: server.url() });
          await admin.connect();
          await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
          return `url:${server.url(name)}`;
        },
      });
    }
    const sizes = options.large === null ? [options.trials] : [options.trials, options.large];
    const rows: OverheadRow[] = [];
    let sqliteHistoryReadMs = NaN;
    let optunaOnPostgres = options.optuna;
    for (const trials of sizes) {
      for (const place of places) {
        const ours = await ourLoop(await place.ours(), trials, trials > 1000 ? log : undefined);
        if (place.backend === "sqlite" && trials === options.trials) sqliteHistoryReadMs = ours.readMs;
        log(`  sweep ${place.backend}, ${trials} trials: ${ours.timing.totalS.toFixed(2)} s`);
        let optuna: LoopTiming | null = null;
        if (options.optuna && (place.backend !== "postgres" || optunaOnPostgres)) {
          try {
            const r = await callOptuna<{ trials: number; total_s: number; last_ask_ms: number; capped: boolean }>({
              mode: "overhead",
              trials,
              storage: await place.optuna(),
              // The short loop always runs to its end; only the long one is capped.
              ...(trials > options.trials ? { max_seconds: OPTUNA_CAP_S } : {}),
            });
            optuna = { trials: r.trials, totalS: r.total_s, lastAskMs: r.last_ask_ms, ...(r.capped ? { cappedAtS: OPTUNA_CAP_S } : {}) };
            log(`  optuna ${place.backend}, ${trials} trials: ${r.capped ? `stopped at ${r.trials} trials after` : ""} ${r.total_s.toFixed(2)} s`);
          } catch (err) {
            if (place.backend !== "postgres") throw err;
            optunaOnPostgres = false;
            const reason = (err as Error).message.split("\n").find((l) => /Error/.test(l)) ?? "it failed";
            notes.push(`Optuna on PostgreSQL left out: ${reason.trim()} (apt-get install python3-psycopg2)`);
          }
        }
        rows.push({ backend: place.backend, trials, ours: ours.timing, optuna });
      }
    }
    const suggestMs: Record<number, number> = {};
    for (const n of [1000, 10000]) suggestMs[n] = suggestTime(n);
    return { rows, notes, suggestMs, sqliteHistoryReadMs };
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
