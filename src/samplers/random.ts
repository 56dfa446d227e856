/**
 * Random search: every parameter drawn independently from its distribution. The draws come only from
 * `ctx.rng` (seeded per trial), in space order, so a trial's point depends on nothing but the sweep seed
 * and the trial number.
 */
import { sample } from "../space/distributions.js";
import type { FlatParams } from "../space/types.js";
import type { Sampler, SamplerContext, Suggestion } from "./types.js";

export class RandomSampler implements Sampler {
  readonly name = "random";

  suggest(ctx: SamplerContext): Suggestion {
    const params: FlatParams = {};
    for (const param of ctx.space.params) params[param.name] = sample(param.dist, ctx.rng);
    return { params };
  }
}
