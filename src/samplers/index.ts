/** The sampler for a sweep's `method`. */
import type { Method } from "../config/types.js";
import { GridSampler } from "./grid.js";
import { RandomSampler } from "./random.js";
import { TPESampler } from "./tpe/index.js";
import type { Sampler } from "./types.js";

export type { Sampler, SamplerContext, Suggestion, TrialView } from "./types.js";
export { GridSampler } from "./grid.js";
export { RandomSampler } from "./random.js";
export { TPESampler, TPEOptionsError, type TPEOptions } from "./tpe/index.js";

/** Sampler options as written in the sweep file's `sweep.sampler` block. */
export type SamplerOptions = Readonly<Record<string, unknown>>;

/**
 * Random and grid search take no options; whatever `options` holds (e.g. TPE settings left in the file
 * when switching method) is ignored rather than rejected, so changing `method:` alone keeps a file valid.
 */
export function createSampler(method: Method, options: SamplerOptions = {}): Sampler {
  void options;
  switch (method) {
    case "random":
      return new RandomSampler();
    case "grid":
      return new GridSampler();
    case "bayes":
      return new TPESampler(options);
    default: {
      const unknown: never = method;
      throw new Error(`unknown search method ${JSON.stringify(unknown)}; expected "random", "grid" or "bayes"`);
    }
  }
}
