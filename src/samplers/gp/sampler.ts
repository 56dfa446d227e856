/**
 * Bayesian optimisation with a Gaussian process (`method: bayes` with `sweep.sampler: {type: gp}`):
 * random points for the first `n_startup_trials` completed trials, then, per suggestion,
 *
 * 1. the completed trials in model coordinates (`encoding.ts`), their values turned into a maximisation,
 *    made closer to Gaussian by a fitted Yeo-Johnson transform and standardised (`output-warp.ts`);
 * 2. Matérn-5/2 ARD hyperparameters fitted by maximum a posteriori marginal likelihood (`fit.ts`), from the
 *    previous trial's fit (kept in its meta), the default and a few random starts;
 * 3. running and queued trials added at the posterior mean ("kriging believer"), so parallel workers do
 *    not all propose the same point;
 * 4. log expected improvement over the best observed value maximised over the mixed space
 *    (`optimize-acquisition.ts`).
 *
 * Pruned, failed and interrupted trials are left out: a pruned trial has no final value, and ranking one
 * by a partial value is what TPE does (docs/samplers.md says why the GP does not). Pure, like every
 * sampler: the history, the stored meta and `ctx.rng` decide the point, so any process proposes the same.
 */
import type { SearchSpace } from "../../space/types.js";
import { RandomSampler } from "../random.js";
import type { Sampler, SamplerContext, Suggestion, TrialView } from "../types.js";
import { AcquisitionOptimizer, ACQUISITION_DEFAULTS } from "./optimize-acquisition.js";
import { SpaceEncoding } from "./encoding.js";
import { fitKernelParams, fromLogParams, toLogParams } from "./fit.js";
import type { KernelParams } from "./kernel.js";
import { resolveGpOptions, type GpOptions, type ResolvedGpOptions } from "./options.js";
import { warpOutputs } from "./output-warp.js";
import { GpPosterior } from "./posterior.js";
import { strideIndices } from "../stride.js";

/** Trial meta key under which the fitted hyperparameters are kept for the next suggestion's warm start. */
export const GP_META_KEY = "gp_kernel";

/**
 * At most this many trials enter the hyperparameter fit (an even stride through the history); the
 * posterior itself always uses every trial. The fit costs O(n³) per likelihood evaluation, and
 * hyperparameters change little once there are this many points; it keeps ask() within bounds on long sweeps.
 */
export const MAX_FIT_TRIALS = 80;

/** Up to this many trials (pending included) the acquisition search runs at full size; see `suggest`. */
const EFFORT_FULL_UP_TO = 100;

/** Past this many completed trials the fit starts from the previous fit alone (the default start if none). */
const RESTARTS_UP_TO = 60;

interface StoredKernel {
  /** The modelled parameters' names, joined: a fit only warm-starts a fit over the same parameters. */
  readonly params: string;
  readonly theta: number[];
}

export class GpSampler implements Sampler {
  readonly name = "gp";
  /** One model over every parameter: define-by-run parameters are proposed together (see `Sampler.joint`). */
  readonly joint = true;
  readonly options: ResolvedGpOptions;
  private readonly random = new RandomSampler();
  private readonly encodings = new WeakMap<SearchSpace, SpaceEncoding>();

  /** Options in the sweep file's spelling (`n_startup_trials`) or the library's (`nStartupTrials`). */
  constructor(options: GpOptions | Readonly<Record<string, unknown>> = {}) {
    this.options = resolveGpOptions(options);
  }

  suggest(ctx: SamplerContext): Suggestion {
    const goal = ctx.goal;
    if (goal === undefined) {
      throw new Error("the GP sampler needs the sweep's metric (name and goal) to compare trials; add a `metric:` block");
    }
    const encoding = this.encodingOf(ctx.space);
    if (encoding.dims === 0) return this.random.suggest(ctx);
    const dims = encoding.dims;
    const sign = goal === "maximize" ? 1 : -1;

    const completed: { row: Float64Array; value: number }[] = [];
    const pending: Float64Array[] = [];
    for (const trial of ctx.trials) {
      const usable = trial.status === "completed" && trial.value !== null && Number.isFinite(trial.value);
      const waiting = trial.status === "running" || trial.status === "queued";
      if (!usable && !waiting) continue;
      const row = new Float64Array(dims);
      if (!encoding.encode(trial.params, row, 0)) continue;
      if (usable) completed.push({ row, value: sign * trial.value! });
      else pending.push(row);
    }
    if (completed.length < this.options.nStartupTrials) return this.random.suggest(ctx);

    const n = completed.length;
    const x = new Float64Array(n * dims);
    const y = warpOutputs(completed.map((c) => c.value));
    completed.forEach((c, i) => x.set(c.row, i * dims));

    const names = encoding.modelled.map((m) => m.spec.name).join("\u0000");
    const fitRows = n > MAX_FIT_TRIALS ? strideIndices(n, MAX_FIT_TRIALS) : null;
    const fitX = fitRows === null ? x : gatherRows(x, dims, fitRows);
    const fitY = fitRows === null ? y : Float64Array.from(fitRows, (r) => y[r]!);
    const fit = fitKernelParams(encoding, fitX, fitY, {
      warmStart: warmStartOf(ctx.trials, names),
      randomRestarts: n <= RESTARTS_UP_TO ? this.options.fitRestarts : 0,
      warmOnly: n > RESTARTS_UP_TO,
      rng: ctx.rng,
    });
    const params = fit.params;

    let posterior = new GpPosterior(encoding, params, x, y);
    if (pending.length > 0) posterior = withPending(posterior, encoding, params, x, y, pending);

    // The incumbent counts the pending trials' believed values too, as if they were observed: otherwise a
    // point predicted above the best stays worth proposing again while it runs.
    let best = -Infinity;
    for (let i = 0; i < posterior.n; i++) best = Math.max(best, posterior.y[i]!);
    const incumbents = Array.from({ length: n }, (_, i) => i).sort((a, b) => y[b]! - y[a]! || a - b);
    // Every acquisition evaluation costs O(n²); past EFFORT_FULL_UP_TO trials the search shrinks by
    // (EFFORT_FULL_UP_TO/n)², so its cost stays flat while the model around it keeps all the data.
    const effort = Math.min(1, (EFFORT_FULL_UP_TO / posterior.n) ** 2);
    const optimizer = new AcquisitionOptimizer(posterior, encoding, best, {
      ...ACQUISITION_DEFAULTS,
      randomCandidates: Math.max(1, Math.round(this.options.nCandidates * effort)),
      perturbationsPerIncumbent: Math.max(2, Math.round(ACQUISITION_DEFAULTS.perturbationsPerIncumbent * effort)),
      localStarts: Math.min(this.options.nLocalSearch, Math.max(1, Math.round(this.options.nLocalSearch * Math.sqrt(effort)))),
    });
    const found = optimizer.maximize(ctx.rng, incumbents);
    const meta = { [GP_META_KEY]: { params: names, theta: Array.from(toLogParams(params)) } satisfies StoredKernel };
    if (found === null) return { ...this.random.suggest(ctx), meta } as Suggestion;
    return { params: encoding.decode(found.point), meta };
  }

  private encodingOf(space: SearchSpace): SpaceEncoding {
    let encoding = this.encodings.get(space);
    if (!encoding) this.encodings.set(space, (encoding = new SpaceEncoding(space)));
    return encoding;
  }
}

/** The latest trial's stored fit over the same parameters, if any. */
function warmStartOf(trials: readonly TrialView[], names: string): KernelParams | undefined {
  for (let i = trials.length - 1; i >= 0; i--) {
    const stored = trials[i]!.meta[GP_META_KEY] as StoredKernel | undefined;
    if (stored === undefined || stored === null || typeof stored !== "object") continue;
    if (stored.params !== names || !Array.isArray(stored.theta)) continue;
    if (!stored.theta.every((v) => typeof v === "number" && Number.isFinite(v))) continue;
    return fromLogParams(Float64Array.from(stored.theta));
  }
  return undefined;
}

/** Pending points join the data at the posterior mean: their variance drops, their mean is unchanged. */
function withPending(
  posterior: GpPosterior,
  encoding: SpaceEncoding,
  params: KernelParams,
  x: Float64Array,
  y: Float64Array,
  pending: readonly Float64Array[],
): GpPosterior {
  const dims = encoding.dims;
  const n = y.length;
  const xAll = new Float64Array((n + pending.length) * dims);
  xAll.set(x);
  const yAll = new Float64Array(n + pending.length);
  yAll.set(y);
  pending.forEach((row, k) => {
    xAll.set(row, (n + k) * dims);
    yAll[n + k] = posterior.predict(row).mean;
  });
  return new GpPosterior(encoding, params, xAll, yAll);
}

function gatherRows(x: Float64Array, dims: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * dims);
  rows.forEach((r, i) => out.set(x.subarray(r * dims, (r + 1) * dims), i * dims));
  return out;
}

