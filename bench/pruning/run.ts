/**
 * The pruning benchmark, one command: `npm run build && node dist/bench/pruning/run.js [--seeds 20]
 * [--trials 200]`. Every method runs the same learning-curve problem (bench/pruning/curves.ts) for each
 * seed; the random-search methods see the very same trials (same params, same noise), and Optuna's
 * pruners replay exactly those curves, so differences come from the pruners alone. Results go to
 * bench/results/pruning-*.json|md and the table into bench/README.md between its pruning markers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { EPOCHS, bestAchievable, reportedLoss, trueFinal, type CurveParams } from "./curves.js";
import { runOurs, type OurMethod, type TrialOutcome } from "./ours.js";
import { summarise, type MethodSummary, type RunMetrics, runMetrics, table } from "./metrics.js";

const OPTUNA_PYTHON = "/usr/bin/python3";
const NEAR = 0.005;

const OUR_METHODS: readonly OurMethod[] = [
  { label: "random, no pruning", method: "random" },
  { label: "random + W&B hyperband (min_iter 5)", method: "random", earlyTerminate: { type: "hyperband", min_iter: 5, eta: 3 } },
  { label: "random + W&B hyperband (min_iter 1)", method: "random", earlyTerminate: { type: "hyperband", min_iter: 1, eta: 3 } },
  { label: "random + ASHA", method: "random", pruner: { type: "asha", min_resource: 1, reduction_factor: 3, max_resource: EPOCHS } },
  { label: "random + hyperband (Li et al.)", method: "random", pruner: { type: "hyperband", min_resource: 1, max_resource: EPOCHS } },
  { label: "random + median", method: "random", pruner: { type: "median", warmup_steps: 5, min_trials: 5 } },
  { label: "TPE + W&B hyperband (min_iter 5)", method: "bayes", earlyTerminate: { type: "hyperband", min_iter: 5, eta: 3 } },
];

const OPTUNA_METHODS = [
  { label: "Optuna MedianPruner (warmup 5, startup 5)", pruner: "median", options: { n_startup_trials: 5, n_warmup_steps: 5 } },
  { label: "Optuna HyperbandPruner (1..20, eta 3)", pruner: "hyperband", options: { min_resource: 1, max_resource: EPOCHS, reduction_factor: 3 } },
] as const;

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
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "sweep") return dir;
    if (dirname(dir) === dir) throw new Error("no package.json named \"sweep\" above the benchmark");
  }
}

function runOptuna(pruner: string, options: Record<string, unknown>, runs: number[][][]): { version: string; runs: { epochs: number[]; completed: boolean[] }[] } {
  const script = join(repoRoot(), "bench", "pruning", "optuna_pruning.py");
  const result = spawnSync(OPTUNA_PYTHON, [script], { input: JSON.stringify({ pruner, options, runs }), encoding: "utf8", maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`${OPTUNA_PYTHON} ${script} failed (${result.status}): ${result.stderr || result.error}`);
  const parsed = JSON.parse(result.stdout) as { optuna: string; runs: { epochs: number[]; completed: boolean[] }[] };
  return { version: parsed.optuna, runs: parsed.runs };
}

async function main(): Promise<void> {
  const seeds = argument("seeds", 20);
  const trials = argument("trials", 200);
  const best = bestAchievable();
  const started = Date.now();
  const perMethod = new Map<string, RunMetrics[]>();
  const unavailable = new Map<string, string>();
  const randomCurves: number[][][] = [];
  const randomParams: CurveParams[][] = [];

  for (let seed = 1; seed <= seeds; seed++) {
    for (const method of OUR_METHODS) {
      if (unavailable.has(method.label)) continue;
      let outcomes: TrialOutcome[];
      try {
        const run = await runOurs(method, seed, trials);
        outcomes = run.outcomes;
        if (method.label === OUR_METHODS[0]!.label) {
          randomParams.push(run.params);
          randomCurves.push(run.params.map((p, n) => Array.from({ length: EPOCHS }, (_, e) => reportedLoss(p, seed, n, e + 1))));
        }
      } catch (error) {
        unavailable.set(method.label, error instanceof Error ? error.message : String(error));
        continue;
      }
      perMethod.set(method.label, [...(perMethod.get(method.label) ?? []), runMetrics(outcomes, best, NEAR)]);
    }
    process.stderr.write(`seed ${seed}/${seeds} done (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }

  let optunaVersion = "unavailable";
  for (const m of OPTUNA_METHODS) {
    try {
      const result = runOptuna(m.pruner, m.options, randomCurves);
      optunaVersion = result.version;
      perMethod.set(
        m.label,
        result.runs.map((r, s) =>
          runMetrics(
            r.epochs.map((epochs, n) => ({ epochs, completed: r.completed[n]!, trueFinal: trueFinal(randomParams[s]![n]!) })),
            best,
            NEAR,
          ),
        ),
      );
    } catch (error) {
      unavailable.set(m.label, error instanceof Error ? error.message : String(error));
    }
  }

  const baseline = OUR_METHODS[0]!.label;
  const summaries: MethodSummary[] = [...perMethod].map(([label, runs]) => summarise(label, runs, perMethod.get(baseline)!));
  const root = repoRoot();
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const header =
    `${seeds} seeds × ${trials} trials × ${EPOCHS} epochs, sequential; best achievable final loss ${best.toFixed(4)}, ` +
    `"near" = within ${NEAR} of it (noiseless). Optuna ${optunaVersion}. Ran in ${((Date.now() - started) / 1000).toFixed(0)} s.`;
  const markdown = [header, "", table(summaries), ...[...unavailable].map(([label, why]) => `\n- ${label}: not run (${why})`)].join("\n");
  writeFileSync(join(resultsDir, `pruning-${stamp}.json`), JSON.stringify({ seeds, trials, epochs: EPOCHS, best, near: NEAR, optuna: optunaVersion, summaries, unavailable: Object.fromEntries(unavailable), runs: Object.fromEntries(perMethod) }, null, 2));
  writeFileSync(join(resultsDir, `pruning-${stamp}.md`), markdown + "\n");
  writeReadmeSection(join(root, "bench", "README.md"), markdown);
  process.stdout.write(markdown + "\n");
}

const START = "<!-- pruning-benchmark:start -->";
const END = "<!-- pruning-benchmark:end -->";

/**
 * Our section of bench/README.md, which another part of the benchmark also writes: the file is re-read
 * right before writing and only the text between our markers is replaced (appended at the end the first time).
 */
function writeReadmeSection(path: string, markdown: string): void {
  const section = [
    START,
    "## Early termination (pruning)",
    "",
    "`npm run build && node dist/bench/pruning/run.js` (options `--seeds`, `--trials`). Synthetic 20-epoch",
    "learning curves (bench/pruning/curves.ts): the final loss depends on lr, depth and dropout, with noise",
    "(sd 0.01) on every report; deeper models start slowest but end best, so curves cross. All random-search",
    "rows see the same trials (same params, same noise) and Optuna's pruners replay exactly those curves.",
    "\"epochs to near\" counts epochs spent until a completed trial is within 0.005 of the best achievable final",
    "loss (median over seeds; a seed that never gets there counts as infinite); \"speed-up\" divides the",
    "no-pruning row's median by each row's.",
    "",
    markdown,
    END,
  ].join("\n");
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : (current === "" ? "" : current.replace(/\n*$/, "\n\n")) + section + "\n";
  writeFileSync(path, next);
}

await main();
