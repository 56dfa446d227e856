/**
 * `node dist/bench/gp-tune.js [--first-seed 100] [--seeds 32] [--trials 50] [--sampler '{"n_startup_trials": 7}'] [--label L]`
 *
 * The GP sampler's tuning bench: one setting of the GP (its sweep-file options as JSON) on the tuning seeds,
 * which start at 100 so they never meet the reported seeds 0–19 of `npm run bench:gp`. Prints the median
 * regret at 20, 30 and 50 trials per function and its ratio to Optuna's multivariate TPE on the same seeds
 * (run once and kept in bench/results/gp-tuning-optuna-<seeds>.json), and writes the per-seed regret curves
 * to bench/results/gp-tuning-<label>.json, so two settings can be compared seed by seed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { regretCurve } from "./efficiency.js";
import { PROBLEMS } from "./functions.js";
import { callOptuna, optunaAvailability, repoRoot } from "./optuna.js";
import { runOurs, type RunTrace } from "./ours.js";
import { argument, textArgument } from "./args.js";
import { quantile } from "./stats.js";

const firstSeed = argument("first-seed", 100);
const trials = argument("trials", 50);
const seeds = Array.from({ length: argument("seeds", 32) }, (_, i) => firstSeed + i);
const options = JSON.parse(textArgument("sampler") ?? "{}") as Record<string, unknown>;
const label = textArgument("label") ?? "gp";
if (firstSeed < 20) throw new Error("--first-seed must be 20 or more: seeds 0–19 are the reported ones");

async function main(): Promise<void> {
  const dir = join(repoRoot, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const optunaFile = join(dir, `gp-tuning-optuna-${firstSeed}-${seeds.length}.json`);
  const optuna: Record<string, number[][]> = existsSync(optunaFile) ? JSON.parse(readFileSync(optunaFile, "utf8")) : {};
  const canRunOptuna = optunaAvailability().available;
  const ours: Record<string, number[][]> = {};
  for (const problem of PROBLEMS) {
    if (optuna[problem.name] === undefined && canRunOptuna) {
      const answer = await callOptuna<{ runs: RunTrace[] }>({ mode: "efficiency", problem: problem.name, config: "tpe_multivariate", seeds, trials });
      optuna[problem.name] = answer.runs.map((run) => regretCurve(problem, run));
      writeFileSync(optunaFile, JSON.stringify(optuna) + "\n");
    }
    const curves: number[][] = [];
    for (const seed of seeds) {
      const run = await runOurs(problem, { label, method: "bayes", sampler: { type: "gp", ...options } }, seed, trials);
      curves.push(regretCurve(problem, run));
    }
    ours[problem.name] = curves;
    const cells = [20, 30, 50].filter((t) => t <= trials).map((t) => {
      const median = quantile(curves.map((c) => c[t - 1]!), 0.5);
      const reference = optuna[problem.name];
      const ratio = reference ? (median / quantile(reference.map((c) => c[t - 1]!), 0.5)).toFixed(2) : "n/a";
      return `@${t} ${median.toPrecision(3)} (× Optuna ${ratio})`;
    });
    console.log(`${label} ${problem.name.padEnd(17)} ${cells.join("  ")}`);
  }
  writeFileSync(join(dir, `gp-tuning-${label}.json`), JSON.stringify({ options, seeds, trials, curves: ours }) + "\n");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exitCode = 1;
});
