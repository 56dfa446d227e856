/**
 * Sample efficiency: simple regret after t trials (the noiseless value of the best point found so far,
 * judged by what the sampler observed) for our TPE, random search and Optuna's TPE in three settings,
 * over many seeds per problem.
 */
import { CHECK_POINTS, PROBLEMS, regretOf, type BenchProblem } from "./functions.js";
import { callOptuna } from "./optuna.js";
import { runOurs, type OurMethod, type RunTrace } from "./ours.js";
import { mapLimit } from "./pool.js";
import { summarize, type Summary } from "./stats.js";

export interface EfficiencySettings {
  readonly seeds: number;
  readonly trials: number;
  /** Optuna processes at once. */
  readonly jobs: number;
  readonly optuna: boolean;
}

export interface MethodResult {
  readonly label: string;
  readonly side: "sweep" | "optuna";
  /** Per trial count 1..trials: median and quartiles over seeds. */
  readonly curve: readonly Summary[];
  /** At the checkpoints (20, 50, 100 trials, those within the budget). */
  readonly at: Readonly<Record<number, Summary>>;
}

export interface ProblemResult {
  readonly name: string;
  readonly goal: string;
  readonly dims: number;
  readonly optimum: number;
  readonly methods: readonly MethodResult[];
}

export interface EfficiencyResult {
  readonly settings: EfficiencySettings;
  readonly checkpoints: readonly number[];
  readonly problems: readonly ProblemResult[];
}

export const OUR_METHODS: readonly OurMethod[] = [
  { label: "sweep TPE (default)", method: "bayes" },
  { label: "sweep TPE univariate", method: "bayes", sampler: { multivariate: false } },
  { label: "random", method: "random" },
];

export const OPTUNA_CONFIGS: readonly { readonly label: string; readonly config: string }[] = [
  { label: "Optuna TPE (default)", config: "tpe" },
  { label: "Optuna TPE multivariate", config: "tpe_multivariate" },
  { label: "Optuna TPE as v5 (multivariate, group, liar)", config: "tpe_optuna5" },
];

const CHECKPOINTS = [20, 50, 100];

/** Fail loudly when the two implementations of a problem disagree; the comparison would mean nothing. */
export async function checkProblemsAgree(): Promise<string> {
  const answer = await callOptuna<{ version: string; values: Record<string, number> }>({ mode: "check" });
  for (const problem of PROBLEMS) {
    const ours = problem.f(CHECK_POINTS[problem.name]!);
    const theirs = answer.values[problem.name];
    if (theirs === undefined || Math.abs(ours - theirs) > 1e-9 * Math.max(1, Math.abs(ours))) {
      throw new Error(`${problem.name}: bench/functions.ts gives ${ours}, optuna_bench.py gives ${theirs}`);
    }
  }
  return answer.version;
}

/** Regret of the best-observed point after each trial. */
export function regretCurve(problem: BenchProblem, run: RunTrace): number[] {
  const curve: number[] = [];
  let best = 0;
  for (let i = 0; i < run.observed.length; i++) {
    const o = run.observed[i]!;
    const better = problem.goal === "minimize" ? o < run.observed[best]! : o > run.observed[best]!;
    if (i > 0 && better) best = i;
    curve.push(regretOf(problem, run.truth[best]!));
  }
  return curve;
}

function summarizeRuns(label: string, side: MethodResult["side"], problem: BenchProblem, runs: readonly RunTrace[], trials: number): MethodResult {
  const curves = runs.map((run) => regretCurve(problem, run));
  const curve = Array.from({ length: trials }, (_, t) => summarize(curves.map((c) => c[t]!)));
  const at: Record<number, Summary> = {};
  for (const t of CHECKPOINTS) if (t <= trials) at[t] = curve[t - 1]!;
  return { label, side, curve, at };
}

export async function runEfficiency(settings: EfficiencySettings, log: (line: string) => void): Promise<EfficiencyResult> {
  const seeds = Array.from({ length: settings.seeds }, (_, i) => i);
  const optunaJobs = settings.optuna
    ? PROBLEMS.flatMap((problem) => OPTUNA_CONFIGS.map((config) => ({ problem, config })))
    : [];
  // Optuna is far slower per trial; start its processes first and run our side while they work.
  const optunaDone = mapLimit(optunaJobs, settings.jobs, async ({ problem, config }) => {
    const started = performance.now();
    const answer = await callOptuna<{ runs: RunTrace[] }>({
      mode: "efficiency",
      problem: problem.name,
      config: config.config,
      seeds,
      trials: settings.trials,
    });
    log(`  optuna ${problem.name} / ${config.label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return summarizeRuns(config.label, "optuna", problem, answer.runs, settings.trials);
  });

  const ours = new Map<string, MethodResult[]>();
  for (const problem of PROBLEMS) {
    const results: MethodResult[] = [];
    for (const method of OUR_METHODS) {
      const started = performance.now();
      const runs: RunTrace[] = [];
      for (const seed of seeds) runs.push(await runOurs(problem, method, seed, settings.trials));
      log(`  sweep ${problem.name} / ${method.label}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
      results.push(summarizeRuns(method.label, "sweep", problem, runs, settings.trials));
    }
    ours.set(problem.name, results);
  }
  const theirs = await optunaDone;

  const problems = PROBLEMS.map((problem) => ({
    name: problem.name,
    goal: problem.goal,
    dims: problem.params.length,
    optimum: problem.optimum,
    methods: [...ours.get(problem.name)!, ...theirs.filter((_, i) => optunaJobs[i]!.problem === problem)],
  }));
  return { settings, checkpoints: CHECKPOINTS.filter((t) => t <= settings.trials), problems };
}
