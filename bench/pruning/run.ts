/**
 * The pruning benchmark, one command: `npm run bench:pruning` (or `node dist/bench/pruning/run.js [--seeds 60]
 * [--budget 3000] [--jobs 2] [--first-seed 1]`). Every method gets the same budget of epochs on the same learning-curve
 * problem (bench/pruning/curves.ts) for each seed; the random-search rows draw the very same points in the
 * same order (same params, same noise), and Optuna's pruners replay exactly those curves, so differences
 * between them come from the pruners alone. Results go to bench/results/pruning-*.json|md and the table
 * into bench/README.md between its pruning markers.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { workQueue } from "../pool.js";
import { EPOCHS, bestAchievable, reportedLoss, trueFinal, type CurveParams } from "./curves.js";
import { summarise, table, targetLines, type MethodSummary, type RunMetrics, runMetrics } from "./metrics.js";
import { randomPool, runOurs, type OurMethod } from "./ours.js";
import { describeProblem, profileLines } from "./profile.js";
import { writeReadmeSection } from "./readme.js";

const OPTUNA_PYTHON = "/usr/bin/python3";
/** "Near the best": within this much of the best achievable final loss. */
const NEAR = 0.005;
/** Seeds per Optuna process: small enough to spread over the jobs, large enough to amortise Python's start. */
const OPTUNA_SEEDS_PER_PROCESS = 5;

const LI_HYPERBAND = { type: "hyperband", min_resource: 1, max_resource: EPOCHS, reduction_factor: 3 };
const ASHA_5_15 = { type: "asha", min_resource: 5, reduction_factor: 3, max_resource: EPOCHS };
const OUR_METHODS: readonly OurMethod[] = [
  { label: "random, no pruning", method: "random" },
  { label: "TPE, no pruning", method: "bayes" },
  { label: "random + W&B hyperband (min_iter 1: bands 1, 3, 9)", method: "random", earlyTerminate: { type: "hyperband", min_iter: 1, eta: 3 } },
  { label: "random + W&B hyperband (min_iter 3: bands 3, 9)", method: "random", earlyTerminate: { type: "hyperband", min_iter: 3, eta: 3 } },
  { label: "random + W&B hyperband (min_iter 5: bands 5, 15)", method: "random", earlyTerminate: { type: "hyperband", min_iter: 5, eta: 3 } },
  { label: "random + ASHA (rf 3, rungs 1, 3, 9)", method: "random", pruner: { type: "asha", min_resource: 1, reduction_factor: 3, max_resource: EPOCHS } },
  {
    label: "random + ASHA (rf 3, rungs 3, 9)",
    method: "random",
    pruner: { type: "asha", min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 1, max_resource: EPOCHS },
  },
  { label: "random + ASHA (rf 3, rungs 5, 15)", method: "random", pruner: ASHA_5_15 },
  { label: "random + hyperband (Li et al., eta 3, R 20)", method: "random", pruner: LI_HYPERBAND },
  { label: "random + median (warmup_steps 5, min_trials 5)", method: "random", pruner: { type: "median", warmup_steps: 5, min_trials: 5 } },
  { label: "TPE + hyperband (Li et al., eta 3, R 20)", method: "bayes", pruner: LI_HYPERBAND },
  { label: "TPE + W&B hyperband (min_iter 3: bands 3, 9)", method: "bayes", earlyTerminate: { type: "hyperband", min_iter: 3, eta: 3 } },
  { label: "TPE + W&B hyperband (min_iter 5: bands 5, 15)", method: "bayes", earlyTerminate: { type: "hyperband", min_iter: 5, eta: 3 } },
  { label: "TPE + ASHA (rf 3, rungs 5, 15)", method: "bayes", pruner: ASHA_5_15 },
];

const OPTUNA_METHODS = [
  { label: "Optuna MedianPruner (n_warmup_steps 5, n_startup_trials 5)", pruner: "median", options: { n_startup_trials: 5, n_warmup_steps: 5 } },
  { label: "Optuna SuccessiveHalvingPruner (rf 3, rungs 1, 3, 9)", pruner: "successive_halving", options: { min_resource: 1, reduction_factor: 3 } },
  {
    label: "Optuna SuccessiveHalvingPruner (rf 3, rungs 3, 9)",
    pruner: "successive_halving",
    options: { min_resource: 1, reduction_factor: 3, min_early_stopping_rate: 1 },
  },
  { label: "Optuna SuccessiveHalvingPruner (rf 3, rungs 5, 15)", pruner: "successive_halving", options: { min_resource: 5, reduction_factor: 3 } },
  { label: "Optuna HyperbandPruner (rf 3, 1..20)", pruner: "hyperband", options: { min_resource: 1, max_resource: EPOCHS, reduction_factor: 3 } },
] as const;

/** Each of our pruners beside Optuna's counterpart with the same settings, for the "no worse than Optuna" check. */
const COUNTERPARTS: readonly (readonly [string, string])[] = [
  ["random + median (warmup_steps 5, min_trials 5)", "Optuna MedianPruner (n_warmup_steps 5, n_startup_trials 5)"],
  ["random + ASHA (rf 3, rungs 1, 3, 9)", "Optuna SuccessiveHalvingPruner (rf 3, rungs 1, 3, 9)"],
  ["random + ASHA (rf 3, rungs 3, 9)", "Optuna SuccessiveHalvingPruner (rf 3, rungs 3, 9)"],
  ["random + ASHA (rf 3, rungs 5, 15)", "Optuna SuccessiveHalvingPruner (rf 3, rungs 5, 15)"],
  ["random + hyperband (Li et al., eta 3, R 20)", "Optuna HyperbandPruner (rf 3, 1..20)"],
];
/** The target: this many times fewer epochs than no pruning to get near the best. */
const TARGET_SPEED_UP = 3;

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} expects a positive integer, got ${JSON.stringify(process.argv[index + 1])}`);
  return value;
}

function repoRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "sweep-hp") return dir;
    if (dirname(dir) === dir) throw new Error("no package.json named \"sweep\" above the benchmark");
  }
}

interface OptunaRun {
  readonly epochs: number[];
  readonly completed: boolean[];
}

/** One Optuna process over some seeds' pools of curves; resolves with its runs in the same order. */
function runOptuna(pruner: string, options: Record<string, unknown>, budget: number, curves: number[][][]): Promise<{ version: string; runs: OptunaRun[] }> {
  const script = join(repoRoot(), "bench", "pruning", "optuna_pruning.py");
  return new Promise((resolve, reject) => {
    const child = spawn(OPTUNA_PYTHON, [script], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", (error) => reject(new Error(`${OPTUNA_PYTHON} ${script}: ${error.message}`)));
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`${OPTUNA_PYTHON} ${script} failed (${code}): ${stderr.trim().split("\n").slice(-3).join(" ")}`));
      const parsed = JSON.parse(stdout) as { optuna: string; runs: OptunaRun[] };
      resolve({ version: parsed.optuna, runs: parsed.runs });
    });
    child.stdin.end(JSON.stringify({ pruner, options, budget, runs: curves }));
  });
}

function sameParams(a: CurveParams, b: CurveParams | undefined): boolean {
  return b !== undefined && a.lr === b.lr && a.warmup_ratio === b.warmup_ratio && a.dropout === b.dropout;
}

async function main(): Promise<void> {
  const seeds = argument("seeds", 60);
  const budget = argument("budget", 3000);
  const jobs = argument("jobs", 2);
  // Seeds 1..N are the reported ones; settings were chosen on other seeds (--first-seed 101, 201), see README.
  const firstSeed = argument("first-seed", 1);
  const checkpoint = Math.round(budget / 3);
  const started = Date.now();
  const best = bestAchievable();
  const profile = describeProblem(best, NEAR);
  const seedList = Array.from({ length: seeds }, (_, i) => firstSeed + i);

  // Every trial costs at least one epoch, so no run can use more than `budget` points of the pool.
  const pools = seedList.map((seed) => randomPool(seed, budget));
  const poolCurves = pools.map((pool, s) => pool.map((p, n) => Array.from({ length: EPOCHS }, (_, e) => reportedLoss(p, seedList[s]!, n, e + 1))));

  // Optuna's processes (jobs - 1 at a time, at least one) run in the background while this process runs our
  // sweeps, and one more at a time once ours are done.
  const unavailable = new Map<string, string>();
  let optunaVersion = "unavailable";
  const optunaTasks = OPTUNA_METHODS.flatMap((m) =>
    Array.from({ length: Math.ceil(seeds / OPTUNA_SEEDS_PER_PROCESS) }, (_, chunk) => ({ method: m, from: chunk * OPTUNA_SEEDS_PER_PROCESS })),
  );
  const optunaQueue = workQueue(optunaTasks, async (task) => {
    const curves = poolCurves.slice(task.from, task.from + OPTUNA_SEEDS_PER_PROCESS);
    try {
      const result = await runOptuna(task.method.pruner, task.method.options, budget, curves);
      optunaVersion = result.version;
      return result.runs;
    } catch (error) {
      unavailable.set(task.method.label, error instanceof Error ? error.message : String(error));
      return null;
    }
  });
  for (let w = 0; w < Math.max(1, jobs - 1); w++) optunaQueue.addWorker();

  const perMethod = new Map<string, RunMetrics[]>();
  for (const [index, seed] of seedList.entries()) {
    for (const method of OUR_METHODS) {
      const run = await runOurs(method, seed, budget);
      if (method.method === "random") {
        const mismatch = run.params.findIndex((p, n) => !sameParams(p, pools[index]![n]));
        if (mismatch >= 0) throw new Error(`${method.label}, seed ${seed}: trial ${mismatch} drew ${JSON.stringify(run.params[mismatch])}, not the pool's point`);
      }
      perMethod.set(method.label, [...(perMethod.get(method.label) ?? []), runMetrics(run.outcomes, best, NEAR, checkpoint)]);
    }
    process.stderr.write(`seed ${seed} (${index + 1}/${seeds}): our sweeps done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  // Our sweeps are done: their core goes to Optuna's remaining processes.
  if (jobs > 1) optunaQueue.addWorker();
  const optunaRuns = await optunaQueue.done();
  OPTUNA_METHODS.forEach((m) => {
    if (unavailable.has(m.label)) return;
    const runs = optunaTasks.flatMap((task, i) => (task.method === m ? optunaRuns[i]! : []));
    perMethod.set(
      m.label,
      runs.map((r, s) =>
        runMetrics(
          r.epochs.map((epochs, n) => ({ epochs, completed: r.completed[n]!, trueFinal: trueFinal(pools[s]![n]!) })),
          best,
          NEAR,
          checkpoint,
        ),
      ),
    );
  });

  const baseline = perMethod.get(OUR_METHODS[0]!.label)!;
  const summaries: MethodSummary[] = [...perMethod].map(([label, runs]) => summarise(label, runs, baseline));
  const root = repoRoot();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  const header =
    `${seeds} seeds (${firstSeed}..${firstSeed + seeds - 1}), a budget of ${budget} epochs per run (${budget / EPOCHS} full trials), sequential trials of ${EPOCHS} epochs. ` +
    `Best achievable final loss ${best.toFixed(4)}; "near" = a completed trial within ${NEAR} of it (noiseless). ` +
    `Optuna ${optunaVersion}. Node ${process.version}. Ran in ${seconds} s (--jobs ${jobs}).`;
  const markdown = [
    header,
    "",
    table(summaries, checkpoint),
    "",
    ...targetLines(summaries, TARGET_SPEED_UP, COUNTERPARTS),
    ...[...unavailable].map(([label, why]) => `\n- ${label}: not run (${why})`),
    "",
    ...profileLines(profile),
  ].join("\n");
  writeFileSync(
    join(resultsDir, `pruning-${stamp}.json`),
    JSON.stringify(
      { seeds, firstSeed, budget, epochs: EPOCHS, best, near: NEAR, checkpoint, optuna: optunaVersion, profile, summaries, unavailable: Object.fromEntries(unavailable), runs: Object.fromEntries(perMethod) },
      (_, v: unknown) => (v === Infinity ? "Infinity" : v),
      2,
    ),
  );
  writeFileSync(join(resultsDir, `pruning-${stamp}.md`), markdown + "\n");
  // Only the reported seeds go into the README; runs on other seeds (tuning, checks) stay in bench/results.
  if (firstSeed === 1) writeReadmeSection(join(root, "bench", "README.md"), markdown);
  process.stdout.write(markdown + "\n");
}

await main();
