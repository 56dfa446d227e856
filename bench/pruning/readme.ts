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
npm run bench:pruning                                        # 60 seeds (1..60), budget 3000 epochs, 2 jobs: about 4.5 minutes on 2 cores
node dist/bench/pruning/run.js --seeds 5 --budget 1500       # --jobs N: Optuna processes beside ours, N - 1 (at least 1)
node dist/bench/pruning/run.js --first-seed 101 --seeds 20   # other seeds: results files only; the README shows seeds 1..N
\`\`\`

Files in \`pruning/\`: \`curves.ts\` (the problem), \`profile.ts\` (what the problem looks like, measured),
\`ours.ts\` (our sweeps), \`optuna_pruning.py\` (Optuna's pruners, \`/usr/bin/python3\` with Debian's
\`python3-optuna\`), \`metrics.ts\` (per-run figures, summaries, the verdict), \`readme.ts\` (this section), \`run.ts\` (entry point).

**The problem** (\`curves.ts\`): 20 epochs of validation loss of a fine-tuning run over lr (log-uniform
1e-5..1e-2), warmup_ratio (0..0.2) and dropout (0..0.4). The run warms the lr up linearly, then decays it
linearly to 0 at epoch 20; the loss falls exponentially with the progress made (the integral of that
schedule), towards an asymptote that is lowest for lr near 10^-3.5, warmup of at least 10% and dropout
near 0.15. Too high an lr diverges (the loss climbs to 1.2 once the warmup ramp passes a critical lr,
which a longer warmup raises and delays); too low an lr plateaus high; a high lr that does not diverge
leads for the first epochs and ends worse (sharper minimum, and without dropout it overfits once
converged). The best finals need a moderate lr, warmup and some dropout: slow starters, behind for the
first epochs, ahead from about epoch 7. Every report carries Gaussian noise (sd 0.003 + 2% of the loss),
fixed by (seed, trial number, epoch) so that every method sees the same noise on the same trial. The
constants were set from this shape before any pruner was run, and not changed after; the table under the
results measures the shape (share of the space that diverges, plateaus, or ends near the best; how well
the loss at an early epoch ranks the final loss; how many near-best configurations are outside the top
third at that epoch).

**The comparison.** Every method gets the same budget of epochs per seed (3000, i.e. 150 full trials),
trials run one at a time, and a trial still running when the budget runs out is cut off. The random-search
rows draw the very same points in the same order (trial n's point depends only on the seed and n; the
bench checks it), and Optuna's pruners replay exactly those curves, so differences between those rows come
from the pruners alone. The TPE rows choose their own points. Our pruners are the library's
(\`createPruner\` on a W&B-style sweep config), asked after every report on the sweep's history.

**The measures.** *Best achievable* is the known optimum of the curve family (grid scan plus local
refinement of the noiseless final loss), not the best of a sample. A trial counts as *found* only when it
completed all 20 epochs — a pruned trial with good params was never trained to the end, so nobody would
know. *Epochs to near-best*: epochs spent until the end of the first completed trial whose noiseless final
loss is within 0.005 of the best achievable; median and IQR over seeds, a seed that never gets there
within the budget counting as "never". *Speed-up*: the no-pruning row's median over this row's; *seeds
faster*: paired per seed against no pruning. *Best final*: the lowest noiseless final loss among completed
trials, within the first third of the budget and within the whole budget (medians over seeds). Because
trials are sequential and pruning decisions depend only on the history so far, a larger budget changes
nothing before the old budget ran out: epochs to near-best only loses its censoring. The speed-up's
*90% bootstrap* interval resamples the seeds (each method's run paired with the no-pruning run on the same
seed) 2000 times: the median of "epochs to near-best" varies a lot from one seed set to another (no
pruning: 670 on seeds 1..20, 570 on seeds 1..60), so read the point estimate with its interval.

**How the settings were chosen.** The rows with the first rung at epoch 5 (\`min_iter: 5\`, the seeds' own
W&B setting, and ASHA rungs 5, 15) and the "TPE, no pruning" row were added after the first run showed
that rungs at epochs 1 and 3 judge slow starters too early (see the profile under the results). The rung
was picked on seeds 101..120 and checked on 201..260 (\`--first-seed\`); the reported seeds 1..60 were not
used to choose it. TPE + ASHA with the first rung at epoch 4, 5, 6 on seeds 201..260: 2.7x, 3.3x, 3.1x;
rung 5 on seeds 101..120: 4.1x. The TPE rows owe part of their speed-up to the sampler: compare each with
"TPE, no pruning".
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
