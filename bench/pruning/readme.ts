/**
 * The pruning section of bench/README.md: how the benchmark is built and how to read it (fixed text),
 * then the latest results (generated). Another part of the benchmark writes the same file, so it is
 * re-read right before writing and only the text between our markers is replaced (appended at the end
 * the first time).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const START = "<!-- pruning-benchmark:start -->";
const END = "<!-- pruning-benchmark:end -->";

const DESIGN = `## Early termination (pruning)

\`\`\`sh
npm run bench:pruning                                          # 20 seeds (1..20), 3 families, budget 2000 epochs, 2 jobs
node dist/bench/pruning/run.js --first-seed 1001 --seeds 8     # tuning seeds: results files only; the README shows seeds 1..20
node dist/bench/pruning/run.js --families noisy --only "TPE +" # one family, the rows whose label contains the text
\`\`\`

Files in \`pruning/\`: \`families.ts\` (the learning-curve families), \`profile.ts\` (what each family looks like,
measured), \`ours.ts\` (our sweeps), \`optuna-driver.ts\` + \`optuna_tpe.py\` (Optuna's TPE + HyperbandPruner,
\`/usr/bin/python3\` with Debian's \`python3-optuna\`, asked and told step by step on the same curves),
\`metrics.ts\` (per-run figures, summaries, the verdict), \`readme.ts\` (this section), \`run.ts\` (entry point),
\`ceiling.ts\` (what any pruner could reach with random search, below the results).

**The families** (\`families.ts\`): three problems of 20 epochs of validation loss over three
hyperparameters, one for each way early stopping goes wrong — curves that cross at different epochs
(\`crossing\`), reports noisier than the gap between near-best and good (\`noisy\`), and runs that blow up
late (\`divergence\`); each is described with its table below. Every report carries noise fixed by (seed, trial
number, epoch), so every method sees the same report for the same trial. **How they were fixed:** the shapes
and constants were written from the description above and checked only with the profile under each table
(no pruner involved); the \`crossing\` family was changed once, from that profile (capacity penalty
0.12·(1-capacity)² → 0.03·(1-capacity)², delay 1 + 15·capacity² → 1 + 12·capacity²), because only the largest
models were near-best, so every near-best curve started at about the same late epoch rather than "at
different epochs". Then they were committed, before any pruner ran on them. The earlier
single-family benchmark (fine-tuning curves over lr, warmup and dropout) is in
\`bench/results/pruning-2026-11-23-*.md\`.

**Seeds.** Anything tuned was tuned on seeds 1001..1008 (\`--first-seed 1001\`), never on the reported
seeds: the W&B hyperband change (W&B's rule, the guard alone, the dealt bands alone, both: seeds 1001..1004,
figures in docs/early-termination.md) and how TPE treats trials stopped before its reference step (left
out, or ranked bad: seeds 1001..1008, \`bench/results/pruning-tuning-1001-1008-*.md\`), and later the
learning-curve forecasts of W&B hyperband (how far to trust the judged trial's forecast, and the variants
dropped: seeds 1001..1016, figures in
[docs/early-termination.md](../docs/early-termination.md#forecasts-from-iteration-3)), and last which of the
trials stopped before the reference step TPE ranks bad (seeds 1001..1016, figures in
[docs/tpe.md](../docs/tpe.md#pruned-trials)). The reported seeds 1..20 were run once after each choice
(\`npm run bench:pruning\`, which writes this section); the runs before forecasts and before that last
change are kept in \`bench/results/pruning-2026-12-02-10-28-38.md\` and \`pruning-2026-12-02-13-43-03.md\`.

**The comparison.** Every method gets the same budget of epochs per seed (2000, i.e. 100 full trials),
trials run one at a time, and a trial still running when the budget runs out is cut off. The random-search
rows draw the very same points in the same order (trial n's point depends only on the seed and n), so
differences between them come from the pruners alone. The TPE rows choose their own points. Our pruners
are the library's (\`createPruner\` on a W&B-style sweep config: \`early_terminate: {type: hyperband,
min_iter: N}\` as users write it, which keeps slow starters and judges by learning-curve forecasts from
iteration 3 by default, see [docs/early-termination.md](../docs/early-termination.md#keeping-slow-starters); ASHA as
\`sweep.pruner: {type: asha}\` with its defaults, rungs 1, 3, 9), asked after every report on the sweep's
history. Optuna's row is its TPESampler (seeded with the seed, defaults) with
\`HyperbandPruner(min_resource=1, max_resource=20, reduction_factor=3)\`.

**The measures.** *Best achievable* is the known optimum of the family (grid scan plus local refinement of
the noiseless final loss). A trial counts as *found* only when it completed all 20 epochs — a pruned trial
with good params was never trained to the end, so nobody would know. *Epochs to near-best*: epochs spent
until the end of the first completed trial whose noiseless final loss is within the family's *near* of the
best achievable; median and IQR over seeds, a seed that never gets there within the budget counting as
"never". *Speed-up*: random search without pruning's median over this row's; its *90% bootstrap* interval
resamples the seeds (each run paired with the random no-pruning run on the same seed) 2000 times (bench/stats.ts
quantiles). *Seeds faster*: paired per seed against random without pruning. *Best final*: the lowest
noiseless final loss among completed trials, within the first third of the budget and within the whole
budget (medians over seeds). **The target** (issue #18): at least 3x fewer epochs than random search without
pruning to near-best, with at least 18 of 20 seeds getting there, for TPE + W&B hyperband with
\`min_iter\` 1, 3 and 5 alike, on every family.
`;

export function writeReadmeSection(path: string, results: string): void {
  const section = [START, DESIGN, "### Latest results", "", results, END].join("\n");
  const current = existsSync(path) ? readFileSync(path, "utf8") : "";
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + END.length)
      : (current === "" ? "" : current.replace(/\n*$/, "\n\n")) + section + "\n";
  writeFileSync(path, next);
}
