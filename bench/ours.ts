/**
 * Our side of the sample-efficiency benchmark: one sweep per (problem, method, seed), run through the
 * public library API (a W&B-style config with `method: bayes` or `random`, in-memory storage), exactly as a
 * user's sweep would run.
 */
import { createRng } from "../src/space/rng.js";
import { standardNormal } from "../src/space/variates.js";
import { createSweep } from "../src/study/index.js";
import type { BenchProblem } from "./functions.js";

/** What one run leaves: per trial, the value the sampler saw and the noiseless value of the same point. */
export interface RunTrace {
  readonly observed: number[];
  readonly truth: number[];
}

export interface OurMethod {
  readonly label: string;
  readonly method: "bayes" | "random";
  readonly sampler?: Readonly<Record<string, unknown>>;
}

export async function runOurs(problem: BenchProblem, method: OurMethod, seed: number, trials: number): Promise<RunTrace> {
  const parameters = Object.fromEntries(problem.params.map((p) => [p.name, p.spec]));
  const sweep = await createSweep({
    config: {
      method: method.method,
      metric: { name: "objective", goal: problem.goal },
      parameters,
      sweep: { seed, ...(method.sampler ? { sampler: method.sampler } : {}) },
    },
    storage: ":memory:",
  });
  const noise = createRng(`noise:${problem.name}:${seed}`);
  const observed: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < trials; i++) {
    const trial = await sweep.ask();
    if (!trial) throw new Error(`${problem.name}: the sweep stopped after ${i} trials`);
    const value = problem.f(trial.params as Record<string, number>);
    const seen = problem.noise > 0 ? value + problem.noise * standardNormal(noise) : value;
    await sweep.tell(trial, seen);
    observed.push(seen);
    truth.push(value);
  }
  await sweep.storage.close();
  return { observed, truth };
}
