/** The sampler for a sweep's `method`. */
import type { Method } from "../config/types.js";
import { GridSampler } from "./grid.js";
import { RandomSampler } from "./random.js";
import { GpSampler } from "./gp/index.js";
import { TPESampler } from "./tpe/index.js";
import type { Sampler } from "./types.js";

export type { Sampler, SamplerContext, Suggestion, TrialView } from "./types.js";
export { GridSampler } from "./grid.js";
export { RandomSampler } from "./random.js";
export { TPESampler, TPEOptionsError, type TPEOptions } from "./tpe/index.js";
export { GpSampler, GpOptionsError, type GpOptions } from "./gp/index.js";

/** Sampler options as written in the sweep file's `sweep.sampler` block. */
export type SamplerOptions = Readonly<Record<string, unknown>>;

/**
 * Random and grid search take no options; whatever `options` holds (e.g. TPE or GP settings left in the file
 * when switching method) is ignored rather than rejected, so changing `method:` alone keeps a file valid.
 * `method: bayes` builds TPE, or the GP sampler when the options say `type: gp`.
 */
export function createSampler(method: Method, options: SamplerOptions = {}): Sampler {
  void options;
  switch (method) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler();
    case "bayes":
      return bayesSampler(options);
    default: {
      const unknown: never = method;
      throw new Error(`unknown search method ${JSON.stringify(unknown)}; expected "random", "grid" or "bayes"`);
    }
  }
}

/** The model-based samplers of `method: bayes`, chosen by the block's `type` (docs/samplers.md). */
export const BAYES_SAMPLER_TYPES = ["tpe", "gp"] as const;

/** `type: tpe` (the default when absent) or `type: gp`; the other keys are that sampler's options. */
function bayesSampler(options: SamplerOptions): Sampler {
  const { type, ...rest } = options;
  if (type === undefined || type === "tpe") return new TPESampler(rest);
  if (type === "gp") return new GpSampler(rest);
  throw new Error(
    `sampler type must be one of ${BAYES_SAMPLER_TYPES.map((t) => `"${t}"`).join(", ")} for method "bayes", got ${JSON.stringify(type)}`,
  );
}
