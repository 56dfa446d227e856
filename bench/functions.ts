/**
 * Benchmark problems for sample efficiency. Each is defined twice, here and in bench/optuna_bench.py, with
 * the same formulas; `npm run bench` checks that both sides agree on fixed points before comparing them.
 *
 * Standard test functions (minimised, known optimum) and a fine-tuning surrogate (maximised, noisy).
 */
import type { Goal } from "../src/config/types.js";

export interface BenchParam {
  readonly name: string;
  /** W&B parameter block, as written in a sweep file. */
  readonly spec: Readonly<Record<string, unknown>>;
}

export interface BenchProblem {
  readonly name: string;
  readonly goal: Goal;
  readonly params: readonly BenchParam[];
  /** The noiseless objective. */
  readonly f: (x: Readonly<Record<string, number>>) => number;
  /** Standard deviation of Gaussian observation noise (0: noiseless). */
  readonly noise: number;
  /** The best noiseless value over the space. */
  readonly optimum: number;
}

const uniform = (min: number, max: number) => ({ distribution: "uniform", min, max });

function branin(x: Readonly<Record<string, number>>): number {
  const x1 = x.x1!;
  const x2 = x.x2!;
  const b = 5.1 / (4 * Math.PI * Math.PI);
  const c = 5 / Math.PI;
  const t = 1 / (8 * Math.PI);
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
}

const H6_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H6_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H6_P = [
  [0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
  [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
  [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
  [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381],
];

function hartmann6(x: Readonly<Record<string, number>>): number {
  let total = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H6_A[i]![j]! * (x[`x${j + 1}`]! - H6_P[i]![j]!) ** 2;
    total += H6_ALPHA[i]! * Math.exp(-inner);
  }
  return -total;
}

function styblinskiTang(x: Readonly<Record<string, number>>): number {
  let total = 0;
  for (const v of Object.values(x)) total += v ** 4 - 16 * v ** 2 + 5 * v;
  return total / 2;
}

function rosenbrock(x: Readonly<Record<string, number>>): number {
  const v = [x.x1!, x.x2!, x.x3!, x.x4!];
  let total = 0;
  for (let i = 0; i < v.length - 1; i++) total += 100 * (v[i + 1]! - v[i]! ** 2) ** 2 + (1 - v[i]!) ** 2;
  return total;
}

/**
 * A fine-tuning surrogate: validation Pearson correlation of a BERT-size model on an STS task as a
 * function of its hyperparameters. Shaped after what such sweeps show: a sharp optimum in learning rate
 * that moves with batch size (square-root scaling), divergence when the learning rate is too high for the
 * warmup, a mild warmup optimum, weight decay that barely matters, underfitting with few epochs and slow
 * overfitting with many, and batch sizes that differ a little. Observations carry seed noise (sd 0.003).
 */
export const FINETUNE_BATCH_SIZES = [8, 16, 32, 64] as const;
const BATCH_EFFECT: Readonly<Record<number, number>> = { 8: -0.012, 16: 0, 32: -0.003, 64: -0.01 };

export function finetuneEpochEffect(epochs: number): number {
  return -0.12 * Math.exp(-(epochs - 1) / 1.2) - 0.004 * Math.max(0, epochs - 5);
}

function finetune(x: Readonly<Record<string, number>>): number {
  const batch = x.batch_size!;
  const lrOpt = 3e-5 * Math.sqrt(batch / 16);
  const d = Math.log10(x.lr! / lrOpt);
  const instability = Math.max(0, d - 0.3 - 2 * x.warmup_ratio!);
  return (
    0.93 -
    0.06 * d * d -
    0.6 * instability * instability -
    0.8 * (x.warmup_ratio! - 0.06) ** 2 -
    0.5 * (x.weight_decay! - 0.01) ** 2 +
    BATCH_EFFECT[batch]! +
    finetuneEpochEffect(x.epochs!)
  );
}

/** Every term but batch size and epochs is zero at its optimum, so the maximum is over those two alone. */
function finetuneOptimum(): number {
  let best = -Infinity;
  for (const b of FINETUNE_BATCH_SIZES) for (let e = 1; e <= 10; e++) best = Math.max(best, 0.93 + BATCH_EFFECT[b]! + finetuneEpochEffect(e));
  return best;
}

const box = (names: readonly string[], min: number, max: number): BenchParam[] =>
  names.map((name) => ({ name, spec: uniform(min, max) }));

export const PROBLEMS: readonly BenchProblem[] = [
  { name: "branin", goal: "minimize", params: [{ name: "x1", spec: uniform(-5, 10) }, { name: "x2", spec: uniform(0, 15) }], f: branin, noise: 0, optimum: 0.39788735772973816 },
  { name: "hartmann6", goal: "minimize", params: box(["x1", "x2", "x3", "x4", "x5", "x6"], 0, 1), f: hartmann6, noise: 0, optimum: -3.322368011415515 },
  { name: "styblinski_tang4", goal: "minimize", params: box(["x1", "x2", "x3", "x4"], -5, 5), f: styblinskiTang, noise: 0, optimum: 4 * -39.16616570377142 },
  { name: "rosenbrock4", goal: "minimize", params: box(["x1", "x2", "x3", "x4"], -2.048, 2.048), f: rosenbrock, noise: 0, optimum: 0 },
  {
    name: "finetune",
    goal: "maximize",
    params: [
      { name: "lr", spec: { distribution: "log_uniform_values", min: 1e-6, max: 1e-4 } },
      { name: "batch_size", spec: { values: [...FINETUNE_BATCH_SIZES] } },
      { name: "warmup_ratio", spec: uniform(0, 0.2) },
      { name: "weight_decay", spec: uniform(0, 0.1) },
      { name: "epochs", spec: { distribution: "int_uniform", min: 1, max: 10 } },
    ],
    f: finetune,
    noise: 0.003,
    optimum: finetuneOptimum(),
  },
];

/** Simple regret of a point's noiseless value: how far it is from the optimum, >= 0. */
export function regretOf(problem: BenchProblem, trueValue: number): number {
  return Math.max(0, problem.goal === "minimize" ? trueValue - problem.optimum : problem.optimum - trueValue);
}

/** Points where both implementations of each problem must agree (see optuna_bench.py's CHECK_POINTS). */
export const CHECK_POINTS: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  branin: { x1: 1.25, x2: 7.5 },
  hartmann6: { x1: 0.1, x2: 0.2, x3: 0.30000000000000004, x4: 0.4, x5: 0.5, x6: 0.6000000000000001 },
  styblinski_tang4: { x1: -2.5, x2: 1.0, x3: 0.5, x4: 3.0 },
  rosenbrock4: { x1: 0.5, x2: -1.0, x3: 1.5, x4: 0.25 },
  finetune: { lr: 4e-5, batch_size: 32, warmup_ratio: 0.1, weight_decay: 0.05, epochs: 3 },
};
