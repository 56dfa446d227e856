/** Shared fixtures for the TPE tests: spaces, histories and a one-call suggest. */
import assert from "node:assert/strict";
import type { Goal } from "../../src/config/types.js";
import type { Sampler, TrialView } from "../../src/samplers/types.js";
import { createRng, deriveSeed } from "../../src/space/rng.js";
import type { FlatParams, SearchSpace } from "../../src/space/types.js";

export function space1d(name = "x"): SearchSpace {
  return { params: [{ name, path: [name], dist: { kind: "uniform", min: 0, max: 1 } }] };
}

export function completed(number: number, params: FlatParams, value: number): TrialView {
  return { number, status: "completed", params, meta: {}, value, intermediate: [] };
}

export function suggest(sampler: Sampler, space: SearchSpace, trials: readonly TrialView[], trialNumber = trials.length, goal: Goal = "minimize", seed = 1): FlatParams {
  const suggestion = sampler.suggest({ space, goal, trials, rng: createRng(deriveSeed(seed, trialNumber)), trialNumber });
  assert.ok(!("exhausted" in suggestion), "TPE never runs out");
  return suggestion.params;
}

/** `n` completed trials of f at evenly spread points of [0, 1] (deterministic, no RNG). */
export function history1d(n: number, f: (x: number) => number): TrialView[] {
  return Array.from({ length: n }, (_, i) => {
    const x = (i * 0.6180339887) % 1; // golden-ratio sequence: spread, not ordered
    return completed(i, { x }, f(x));
  });
}

export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
