/**
 * The Tree-structured Parzen Estimator (Bergstra et al., 2011; Watanabe, 2023): rank the history, split it
 * into a good set (the best gamma(n) trials) and a bad set, fit a Parzen estimator l(x) to the good and
 * g(x) to the bad, draw candidates from l and propose the one with the largest l(x)/g(x).
 *
 * Pure: everything comes from `ctx` (its trials and its per-trial RNG), so the same seed and history give
 * the same suggestion in any process.
 */
import type { Goal } from "../../config/types.js";
import { sample } from "../../space/distributions.js";
import type { FlatParams, SearchSpace } from "../../space/types.js";
import { RandomSampler } from "../random.js";
import type { Sampler, SamplerContext, Suggestion, TrialView } from "../types.js";
import { decomposeGroups } from "./groups.js";
import { resolveTPEOptions, type ResolvedTPEOptions, type TPEOptions } from "./options.js";
import { buildParamModels, decodeValue, encodeValue, type ModelledParam, type ParamModel } from "./param-models.js";
import { ParzenEstimator, type ParzenSettings } from "./parzen.js";
import { IncrementalRanking, usabilityOf } from "./ranking.js";
import { strideIndices } from "../stride.js";

/** The history in model coordinates: the usable trials, one column per modelled parameter. */
interface EncodedHistory {
  /** Indices into ctx.trials of the usable trials (informative or pending). */
  readonly rows: readonly number[];
  /** Row-major by trial index (every trial, usable or not) × columns; NaN where the trial lacks the parameter. */
  readonly values: Float64Array;
  readonly columns: number;
  readonly informative: number;
  /** The cache it came from: one per search space, so it keys the per-group rankings too. */
  readonly cache: EncodedCache;
}

export class TPESampler implements Sampler {
  readonly name = "tpe";
  readonly options: ResolvedTPEOptions;
  private readonly random = new RandomSampler();
  /** Per search space (a sweep keeps one object for its lifetime), its parameter models. */
  private readonly models = new WeakMap<SearchSpace, ParamModel[]>();

  /** Multivariate TPE models parameters together: define-by-run ones too (see `Sampler.joint`). */
  get joint(): boolean {
    return this.options.multivariate;
  }

  /** Options in the sweep file's spelling (`n_startup_trials`) or the library's (`nStartupTrials`). */
  constructor(options: TPEOptions | Readonly<Record<string, unknown>> = {}) {
    this.options = resolveTPEOptions(options);
  }

  suggest(ctx: SamplerContext): Suggestion {
    const goal = ctx.goal;
    if (goal === undefined) {
      throw new Error("the bayes (TPE) sampler needs the sweep's metric (name and goal) to rank trials; add a `metric:` block");
    }
    const models = this.modelsOf(ctx.space);
    const modelled = this.modelledOf(ctx.space, models);
    const history = encodeHistory(ctx.trials, modelled, this.encodedOf(modelled));
    if (history.informative < this.options.nStartupTrials || modelled.length === 0) return this.random.suggest(ctx);

    const chosen = new Map<ModelledParam, unknown>();
    for (const group of this.groupsOf(history, modelled.length)) {
      const members = group.map((c) => modelled[c]!);
      const values = this.suggestGroup(ctx, goal, history, group, members);
      members.forEach((model, j) => chosen.set(model, values[j]));
    }
    const params: FlatParams = {};
    for (const model of models) {
      params[model.spec.name] = model.kind === "fixed" ? model.value : chosen.get(model);
    }
    return { params };
  }

  private readonly modelledParams = new WeakMap<SearchSpace, ModelledParam[]>();
  private readonly encoded = new WeakMap<readonly ModelledParam[], EncodedCache>();

  /** Per encoded history, per group (its columns joined), the ranking kept between asks. */
  private readonly rankings = new WeakMap<EncodedCache, Map<string, IncrementalRanking>>();

  private rankingOf(history: EncodedHistory, group: readonly number[]): IncrementalRanking {
    let byGroup = this.rankings.get(history.cache);
    if (!byGroup) this.rankings.set(history.cache, (byGroup = new Map()));
    const key = group.join(",");
    let ranking = byGroup.get(key);
    if (!ranking) byGroup.set(key, (ranking = new IncrementalRanking()));
    return ranking;
  }

  private encodedOf(modelled: readonly ModelledParam[]): EncodedCache {
    let cache = this.encoded.get(modelled);
    if (!cache) this.encoded.set(modelled, (cache = { views: [], values: new Float64Array(0), pattern: new Int32Array(0), patterns: [], patternIds: new Map(), patternRows: [], usability: new Uint8Array(0), rows: [], informative: 0 }));
    return cache;
  }

  /** The non-fixed models, one stable array per space (it keys the encoded-row cache). */
  private modelledOf(space: SearchSpace, models: readonly ParamModel[]): ModelledParam[] {
    let modelled = this.modelledParams.get(space);
    if (!modelled) this.modelledParams.set(space, (modelled = models.filter((m): m is ModelledParam => m.kind !== "fixed")));
    return modelled;
  }

  private modelsOf(space: SearchSpace): ParamModel[] {
    let models = this.models.get(space);
    if (!models) this.models.set(space, (models = buildParamModels(space)));
    return models;
  }

  /** Univariate: every parameter alone. Multivariate: all together, or split by co-occurrence (`group`). */
  private groupsOf(history: EncodedHistory, columns: number): number[][] {
    const all = Array.from({ length: columns }, (_, c) => c);
    if (!this.options.multivariate) return all.map((c) => [c]);
    if (!this.options.group) return [all];
    // Two parameters share a group when they are present in exactly the same trials, which is decided by
    // the distinct presence patterns alone: decompose those few instead of a trials × columns matrix.
    const { patterns, patternRows } = history.cache;
    const seen = patterns.filter((_, id) => patternRows[id]! > 0);
    const present = new Uint8Array(seen.length * columns);
    seen.forEach((flags, r) => present.set(flags, r * columns));
    return decomposeGroups(present, seen.length, columns);
  }

  /** Values for one group's parameters: the best of the candidates drawn from l, or prior draws if nothing is known. */
  private suggestGroup(
    ctx: SamplerContext,
    goal: Goal,
    history: EncodedHistory,
    group: readonly number[],
    members: readonly ModelledParam[],
  ): unknown[] {
    const columns = history.columns;
    // The group's trials: those that have every parameter of the group.
    const { pattern, patterns, patternRows } = history.cache;
    const complete = patterns.map((present) => group.every((c) => present[c] === 1));
    // Usually every usable trial has the whole group, and the usable rows are the group's trials as they are.
    const everyRow = complete.every((yes, id) => yes || patternRows[id] === 0);
    const groupTrials = everyRow ? history.rows : history.rows.filter((r) => complete[pattern[r]!]);
    const ranking = this.rankingOf(history, group);
    const { good, bad } = ranking.split(ctx.trials, groupTrials, goal, this.options.constantLiar, this.options.gamma);
    if (good.length === 0) return members.map((m) => sample(m.spec.dist, ctx.rng));

    const settings: ParzenSettings = {
      priorWeight: this.options.priorWeight,
      bandwidth: this.options.multivariate ? "scott" : "neighbour",
      considerEndpoints: this.options.considerEndpoints,
      magicClip: this.options.magicClip,
    };
    const d = group.length;
    const gather = (trialIndices: readonly number[]): Float64Array => {
      const out = new Float64Array(trialIndices.length * d);
      for (let i = 0; i < trialIndices.length; i++) {
        const at = trialIndices[i]! * columns;
        for (let j = 0; j < d; j++) out[i * d + j] = history.values[at + group[j]!]!;
      }
      return out;
    };
    const below = new ParzenEstimator(members, gather(good), good.length, settings);
    // The bad set grows with the history while the good set is capped (max_good_trials): past
    // MAX_ABOVE_KERNELS its estimator is fitted on an even stride through the bad set in rank order, with
    // bandwidths, prior weight and smoothing computed for the full count (docs/tpe.md, "Large histories").
    const above = bad.length > MAX_ABOVE_KERNELS
      ? new ParzenEstimator(members, gather(strideIndices(bad.length, MAX_ABOVE_KERNELS).map((k) => bad[k]!)), MAX_ABOVE_KERNELS, settings, bad.length)
      : new ParzenEstimator(members, gather(bad), bad.length, settings);

    const n = this.options.nEiCandidates;
    const candidates = below.sample(ctx.rng, n);
    const logL = new Float64Array(n);
    const logG = new Float64Array(n);
    below.logDensity(candidates, n, logL);
    above.logDensity(candidates, n, logG);
    let best = 0;
    let bestScore = -Infinity;
    for (let c = 0; c < n; c++) {
      const score = logL[c]! - logG[c]!;
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    return members.map((model, j) => decodeValue(model, candidates[best * d + j]!));
  }
}

/**
 * Kernels of the bad-set ("above") estimator at most. Below it TPE is exact (every benchmark in
 * bench/ runs under it); above it, scoring a candidate costs the same however long the history.
 */
const MAX_ABOVE_KERNELS = 1000;


/**
 * The encoded history of one space, kept between suggestions: position i holds trial i's coordinates and
 * the view they were encoded from. The study hands the sampler the same view object while a trial is
 * unchanged, so on a long sweep only new and changed trials are encoded again, into a buffer that grows by
 * doubling instead of being allocated per ask.
 */
interface EncodedCache {
  readonly views: TrialView[];
  values: Float64Array;
  /**
   * By trial, the id of its presence pattern (which columns it has), and the distinct patterns by id (one
   * 0/1 flag per column). Groups and group membership depend on the patterns alone, and there are few.
   */
  pattern: Int32Array;
  readonly patterns: Uint8Array[];
  readonly patternIds: Map<string, number>;
  /** By pattern id, how many usable trials have it. */
  readonly patternRows: number[];
  /** By trial: IGNORED, PENDING or INFORMATIVE (see `usabilityOf`). */
  usability: Uint8Array;
  /** Indices of the usable trials, ascending; changed in place as trials arrive, rebuilt when one in the middle changes usability. */
  rows: number[];
  informative: number;
}

const IGNORED = 0;
const PENDING = 1;
const INFORMATIVE = 2;

function encodeHistory(trials: readonly TrialView[], modelled: readonly ModelledParam[], cache: EncodedCache): EncodedHistory {
  const d = modelled.length;
  const n = trials.length;
  // Trials never disappear from a sweep; if they did (another history), start over.
  if (cache.views.length > n) resetEncoded(cache);
  if (cache.values.length < n * d || cache.usability.length < n) {
    const size = Math.max(n, 2 * cache.usability.length, 64);
    const values = new Float64Array(size * d);
    values.set(cache.values);
    cache.values = values;
    const pattern = new Int32Array(size);
    pattern.set(cache.pattern);
    cache.pattern = pattern;
    const usability = new Uint8Array(size);
    usability.set(cache.usability);
    cache.usability = usability;
  }
  const known = cache.views.length;
  const values = cache.values;
  const appended: number[] = [];
  let rowsStale = false;
  for (let i = 0; i < n; i++) {
    const trial = trials[i]!;
    if (cache.views[i] === trial) continue;
    const was = i < known ? cache.usability[i]! : IGNORED;
    if (was !== IGNORED) cache.patternRows[cache.pattern[i]!]!--;
    if (was === INFORMATIVE) cache.informative--;
    const present = new Uint8Array(d);
    for (let c = 0; c < d; c++) {
      const value = (values[i * d + c] = encodeValue(modelled[c]!, trial.params[modelled[c]!.spec.name]));
      present[c] = Number.isNaN(value) ? 0 : 1;
    }
    const key = present.join("");
    let id = cache.patternIds.get(key);
    if (id === undefined) {
      cache.patternIds.set(key, (id = cache.patterns.length));
      cache.patterns.push(present);
      cache.patternRows.push(0);
    }
    cache.pattern[i] = id;
    cache.views[i] = trial;
    const usability = usabilityOf(trial);
    const is = usability === "informative" ? INFORMATIVE : usability === "pending" ? PENDING : IGNORED;
    cache.usability[i] = is;
    if (is !== IGNORED) cache.patternRows[id]!++;
    if (is === INFORMATIVE) cache.informative++;
    if ((was === IGNORED) !== (is === IGNORED)) {
      if (i >= known) appended.push(i);
      else rowsStale = true;
    }
  }
  if (rowsStale) {
    cache.rows = [];
    for (let i = 0; i < n; i++) if (cache.usability[i] !== IGNORED) cache.rows.push(i);
  } else {
    for (const i of appended) cache.rows.push(i);
  }
  return { rows: cache.rows, values, columns: d, informative: cache.informative, cache };
}

function resetEncoded(cache: EncodedCache): void {
  cache.views.length = 0;
  cache.rows = [];
  cache.informative = 0;
  cache.patternRows.fill(0);
}
