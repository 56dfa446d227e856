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
import { splitGoodBad, usabilityOf } from "./ranking.js";

/** The history in model coordinates: one row per usable trial, one column per modelled parameter. */
interface EncodedHistory {
  /** Indices into ctx.trials of the rows. */
  readonly rows: readonly number[];
  /** row-major rows × columns; NaN where the trial lacks the parameter. */
  readonly values: Float64Array;
  readonly columns: number;
  readonly informative: number;
}

export class TPESampler implements Sampler {
  readonly name = "tpe";
  readonly options: ResolvedTPEOptions;
  private readonly random = new RandomSampler();
  /** Per search space (a sweep keeps one object for its lifetime), its parameter models. */
  private readonly models = new WeakMap<SearchSpace, ParamModel[]>();

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
    const history = encodeHistory(ctx.trials, modelled);
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
    const rows = history.rows.length;
    const present = new Uint8Array(rows * columns);
    for (let i = 0; i < present.length; i++) present[i] = Number.isNaN(history.values[i]!) ? 0 : 1;
    return decomposeGroups(present, rows, columns);
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
    // The group's trials: those that have every parameter of the group. rowOf maps a trial index to its row.
    const rowOf = new Int32Array(ctx.trials.length).fill(-1);
    const groupTrials: number[] = [];
    for (let r = 0; r < history.rows.length; r++) {
      let complete = true;
      for (const c of group) if (Number.isNaN(history.values[r * columns + c]!)) complete = false;
      if (!complete) continue;
      rowOf[history.rows[r]!] = r;
      groupTrials.push(history.rows[r]!);
    }
    const { good, bad } = splitGoodBad(ctx.trials, groupTrials, goal, this.options.constantLiar, this.options.gamma);
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
        const r = rowOf[trialIndices[i]!]!;
        for (let j = 0; j < d; j++) out[i * d + j] = history.values[r * columns + group[j]!]!;
      }
      return out;
    };
    const below = new ParzenEstimator(members, gather(good), good.length, settings);
    const above = new ParzenEstimator(members, gather(bad), bad.length, settings);

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
 * Encoded parameter rows per trial view. The study hands the sampler the same view object while a trial is
 * unchanged, so on a long sweep only new and changed trials are encoded again. Keyed by the models too: one
 * sampler may serve several spaces.
 */
const encodedRows = new WeakMap<TrialView, { readonly models: readonly ModelledParam[]; readonly row: Float64Array }>();

function encodedRow(trial: TrialView, modelled: readonly ModelledParam[]): Float64Array {
  const cached = encodedRows.get(trial);
  if (cached && cached.models === modelled) return cached.row;
  const row = new Float64Array(modelled.length);
  for (let c = 0; c < modelled.length; c++) row[c] = encodeValue(modelled[c]!, trial.params[modelled[c]!.spec.name]);
  encodedRows.set(trial, { models: modelled, row });
  return row;
}

/** Encode the trials the model can use (informative or pending) once per suggestion. */
function encodeHistory(trials: readonly TrialView[], modelled: readonly ModelledParam[]): EncodedHistory {
  const rows: number[] = [];
  let informative = 0;
  for (let i = 0; i < trials.length; i++) {
    const usability = usabilityOf(trials[i]!);
    if (usability === "ignored") continue;
    rows.push(i);
    if (usability === "informative") informative++;
  }
  const d = modelled.length;
  const values = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) values.set(encodedRow(trials[rows[r]!]!, modelled), r * d);
  return { rows, values, columns: d, informative };
}
