/**
 * What the sampler's ranking costs on a pruned history: `node dist/bench/pruning/ranking-cost.js [trials]`.
 * TPESampler.suggest() alone (no storage) over a growing history of 10,000 trials (default) where two of
 * three trials are pruned at step 1, 3 or 9 and one in three completes at step 20, as W&B hyperband at
 * min_iter 1 leaves it; the views are kept as the study keeps them (the same object while a trial is
 * unchanged), so the incremental ranking is what is measured. Prints the total and the median of the last
 * 50 asks. The sampler-only counterpart of `npm run bench -- overhead`, which has no pruned trials.
 */
import { TPESampler } from "../../src/samplers/tpe/index.js";
import type { TrialView } from "../../src/samplers/types.js";
import { createRng, deriveSeed } from "../../src/space/rng.js";
import type { SearchSpace } from "../../src/space/types.js";
import { quantile } from "../stats.js";

const space: SearchSpace = {
  params: [
    { name: "lr", path: ["lr"], dist: { kind: "log_uniform_values", min: 1e-6, max: 1e-4 } },
    { name: "batch_size", path: ["batch_size"], dist: { kind: "categorical", values: [8, 16, 32, 64] } },
    { name: "warmup_ratio", path: ["warmup_ratio"], dist: { kind: "uniform", min: 0, max: 0.2 } },
    { name: "weight_decay", path: ["weight_decay"], dist: { kind: "uniform", min: 0, max: 0.1 } },
  ],
};

const count = Number(process.argv[2] ?? 10000);
const sampler = new TPESampler();
const trials: TrialView[] = [];
const times: number[] = [];
const started = performance.now();
for (let n = 0; n < count; n++) {
  const t0 = performance.now();
  const suggestion = sampler.suggest({ space, goal: "minimize", trials, rng: createRng(deriveSeed(1, n)), trialNumber: n });
  times.push(performance.now() - t0);
  if ("exhausted" in suggestion) throw new Error(suggestion.reason);
  const p = suggestion.params;
  const final = Math.log10(p.lr as number) + 5 + (p.warmup_ratio as number);
  const depth = n % 3 === 2 ? 20 : [1, 3, 9][(n % 9) % 3]!;
  const intermediate = Array.from({ length: depth }, (_, e) => ({ step: e + 1, value: final + 1 / (e + 1) }));
  trials.push({ number: n, status: depth === 20 ? "completed" : "pruned", params: p, meta: {}, value: depth === 20 ? final + 0.05 : null, intermediate });
}
const total = (performance.now() - started) / 1000;
process.stdout.write(`${count} trials (2 of 3 pruned at steps 1, 3, 9): ${total.toFixed(1)} s, last asks ${quantile(times.slice(-50), 0.5).toFixed(2)} ms (median of 50)\n`);
