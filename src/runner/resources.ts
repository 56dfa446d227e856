/**
 * Placement by per-model rules (`sweep.resources`, config/resources.ts).
 *
 * Without rules every trial needs the same thing, so slots are planned once, up front (slots.ts). With rules a
 * trial's needs depend on its parameters, known only once it is sampled: the controller claims the trial, asks
 * this plan what it needs (`needOf`), and takes a matching GPU group from the host's lease book, which counts
 * shares of a GPU (a trial of `trials_per_gpu: k` takes 1/k of each of its GPUs). A trial that does not fit yet
 * waits at the head of the line, so a large model is never starved by a stream of small ones.
 */
import { matchingRule } from "../config/resources.js";
import type { ResourceRule } from "../config/types.js";

export interface ResourceNeed {
  readonly gpusPerTrial: number;
  readonly trialsPerGpu: number;
  /** Index of the rule that set it, or null for the sweep's defaults. */
  readonly rule: number | null;
}

export class ResourcePlan {
  constructor(
    /** The GPUs this controller may use (nvidia-smi indices, in the order chosen). */
    readonly gpus: readonly string[],
    readonly rules: readonly ResourceRule[],
    readonly defaults: { readonly gpusPerTrial: number; readonly trialsPerGpu: number },
  ) {}

  needOf(params: Readonly<Record<string, unknown>>): ResourceNeed {
    const match = matchingRule(this.rules, params);
    return this.needFrom(match?.rule, match?.index ?? null);
  }

  /** Every need a trial can have: the defaults and each rule's. */
  allNeeds(): ResourceNeed[] {
    return [this.needFrom(undefined, null), ...this.rules.map((rule, index) => this.needFrom(rule, index))];
  }

  /** A rule's need, its unset fields taken from the defaults (no rule: the defaults). */
  private needFrom(rule: ResourceRule | undefined, index: number | null): ResourceNeed {
    return {
      gpusPerTrial: rule?.gpusPerTrial ?? this.defaults.gpusPerTrial,
      trialsPerGpu: rule?.trialsPerGpu ?? this.defaults.trialsPerGpu,
      rule: index,
    };
  }

  /** Most trials that can share one GPU under any rule: the number of display lanes per GPU. */
  maxTrialsPerGpu(): number {
    return Math.max(...this.allNeeds().map((n) => n.trialsPerGpu));
  }

  /**
   * GPU groups a trial with `need` may take, in order of preference: consecutive, aligned groups of
   * `gpusPerTrial` (0+1, 2+3: on most boards the pairs that share a switch), as `--gpus-per-trial` plans them.
   */
  groupsFor(need: ResourceNeed): string[][] {
    const groups: string[][] = [];
    for (let i = 0; i + need.gpusPerTrial <= this.gpus.length; i += need.gpusPerTrial) groups.push(this.gpus.slice(i, i + need.gpusPerTrial));
    return groups;
  }

  /** Rules whose trials could never run here (more GPUs than there are), described for an error. */
  unplaceable(): string[] {
    return this.allNeeds()
      .filter((n) => n.gpusPerTrial > this.gpus.length)
      .map((n) => `${n.rule === null ? "gpus_per_trial" : `sweep.resources[${n.rule}].gpus_per_trial`} ${n.gpusPerTrial} needs ${n.gpusPerTrial} GPUs, but only ${this.gpus.length} are usable (${this.gpus.join(",") || "none"})`);
  }
}
