/**
 * Turning stored records into what the algorithms see. Samplers and pruners get plain `TrialView`s, never
 * storage records, so they stay pure functions of the history.
 */
import type { TrialView } from "../samplers/types.js";
import type { FlatParams } from "../space/types.js";
import type { IntermediateRecord, TrialRecord } from "../storage/types.js";
import { isJointProposal, JOINT_PROPOSAL_KEY } from "./define-by-run.js";

/** Group intermediate values of one metric by trial id, steps ascending. */
export function curvesByTrial(
  intermediates: readonly IntermediateRecord[],
  metricName: string | undefined,
): Map<number, { step: number; value: number }[]> {
  const curves = new Map<number, { step: number; value: number }[]>();
  if (metricName === undefined) return curves;
  for (const r of intermediates) {
    if (r.name !== metricName) continue;
    let curve = curves.get(r.trialId);
    if (!curve) curves.set(r.trialId, (curve = []));
    curve.push({ step: r.step, value: r.value });
  }
  for (const curve of curves.values()) curve.sort((a, b) => a.step - b.step);
  return curves;
}

type Curve = readonly { step: number; value: number }[];

const NO_CURVE: Curve = Object.freeze([]);

/**
 * Sampler views of a sweep's trials, remade only for trials that changed since the last ask. Storages hand
 * the proposer the same frozen record objects while a trial is unchanged, so a position-by-position identity
 * check finds the changed few; on a large sweep this keeps an ask from rebuilding thousands of views.
 */
export class TrialViewCache {
  private records: TrialRecord[] = [];
  private views: TrialView[] = [];

  build(trials: readonly TrialRecord[], curves: ReadonlyMap<number, Curve>): TrialView[] {
    // Kept in place and copied out: allocating and filling a fresh array per ask cost more than the check.
    const records = this.records;
    const views = this.views;
    if (records.length > trials.length) {
      records.length = trials.length;
      views.length = trials.length;
    }
    const anyCurves = curves.size > 0;
    for (let i = 0; i < trials.length; i++) {
      const t = trials[i]!;
      const curve = anyCurves ? (curves.get(t.id) ?? NO_CURVE) : NO_CURVE;
      if (i < records.length && records[i] === t) {
        const previous = views[i]!;
        if (previous.intermediate === curve || sameCurve(previous.intermediate, curve)) continue;
      }
      records[i] = t;
      views[i] = { number: t.number, status: t.status, params: paramsToBe(t), meta: t.meta, value: t.value, intermediate: curve };
    }
    return views.slice();
  }
}

function sameCurve(a: Curve, b: Curve): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.step !== b[i]!.step || a[i]!.value !== b[i]!.value) return false;
  return true;
}

/**
 * A running or queued trial's parameters as they will be: with its joint define-by-run proposal, the values
 * its objective has not asked for yet. Otherwise a trial that has asked for x1 but not yet x2 is no pending
 * point to the sampler, and the next proposal can land on top of it (a parallel worker, or a process killed
 * mid-trial). Ended trials are seen as they are.
 */
function paramsToBe(t: TrialRecord): FlatParams {
  if (t.status !== "running" && t.status !== "queued") return t.params;
  const proposal = t.meta[JOINT_PROPOSAL_KEY];
  return isJointProposal(proposal) ? { ...proposal.params, ...t.params } : t.params;
}
