/**
 * Overhead: wall time of ask/tell loops with a trivial objective on a 4-parameter fine-tuning space, ours
 * and Optuna's, in memory and on SQLite; the sampler's own cost at 1,000 and 10,000 completed trials; and
 * how much of a SQLite ask is the storage reading the sweep's history.
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
}

export interface OverheadResult {
  readonly ours: {
    readonly memory: LoopTiming;
    readonly sqlite: LoopTiming;
    readonly memoryLarge: LoopTiming | null;
    /** The same long loop on a SQLite file (absent in results written before it was measured). */
    readonly sqliteLarge?: LoopTiming | null;
  };
  readonly optuna: { readonly memory: LoopTiming; readonly sqlite: LoopTiming } | null;
  /** TPESampler.suggest alone, median ms, at this many completed trials. */
  readonly suggestMs: Readonly<Record<number, number>>;
  /** Reading a 1,000-trial sweep's trials and curves from SQLite, median ms: what every claim pays before the sampler runs. */
  readonly sqliteHistoryReadMs: number;
}

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

export async function runOverhead(options: { trials: number; large: number | null; optuna: boolean }, log: (line: string) => void): Promise<OverheadResult> {
  const dir = mkdtempSync(join(tmpdir(), "sweep-bench-"));
  try {
    const memory = await ourLoop(":memory:", options.trials);
    log(`  sweep in memory: ${memory.timing.totalS.toFixed(2)} s`);
    const sqlite = await ourLoop(join(dir, "sweep.db"), options.trials);
    log(`  sweep SQLite: ${sqlite.timing.totalS.toFixed(2)} s`);
    const large = options.large === null ? null : (await ourLoop(":memory:", options.large, log)).timing;
    if (large) log(`  sweep in memory, ${options.large} trials: ${large.totalS.toFixed(1)} s`);
    const sqliteLarge = options.large === null ? null : (await ourLoop(join(dir, "sweep-large.db"), options.large, log)).timing;
    if (sqliteLarge) log(`  sweep SQLite, ${options.large} trials: ${sqliteLarge.totalS.toFixed(1)} s`);
    const suggestMs: Record<number, number> = {};
    for (const n of [1000, 10000]) suggestMs[n] = suggestTime(n);
    let optuna: OverheadResult["optuna"] = null;
    if (options.optuna) {
      const om = await callOptuna<{ total_s: number; last_ask_ms: number }>({ mode: "overhead", trials: options.trials, storage: "memory" });
      log(`  optuna in memory: ${om.total_s.toFixed(2)} s`);
      const os = await callOptuna<{ total_s: number; last_ask_ms: number }>({
        mode: "overhead",
        trials: options.trials,
        storage: `sqlite:${join(dir, "optuna.db")}`,
      });
      log(`  optuna SQLite: ${os.total_s.toFixed(2)} s`);
      optuna = {
        memory: { trials: options.trials, totalS: om.total_s, lastAskMs: om.last_ask_ms },
        sqlite: { trials: options.trials, totalS: os.total_s, lastAskMs: os.last_ask_ms },
      };
    }
    return { ours: { memory: memory.timing, sqlite: sqlite.timing, memoryLarge: large, sqliteLarge }, optuna, suggestMs, sqliteHistoryReadMs: sqlite.readMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
