/**
 * Turning stored records into what the algorithms see. Samplers and pruners get plain `TrialView`s, never
 * storage records, so they stay pure functions of the history.
 */
import type { TrialView } from "../samplers/types.js";
import type { IntermediateRecord, TrialRecord } from "../storage/types.js";

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
  private records: readonly TrialRecord[] = [];
  private views: TrialView[] = [];

  build(trials: readonly TrialRecord[], curves: ReadonlyMap<number, Curve>): TrialView[] {
    const views = new Array<TrialView>(trials.length);
    const anyCurves = curves.size > 0;
    for (let i = 0; i < trials.length; i++) {
      const t = trials[i]!;
      const curve = anyCurves ? (curves.get(t.id) ?? NO_CURVE) : NO_CURVE;
      const previous = this.records[i] === t ? this.views[i] : undefined;
      views[i] =
        previous && sameCurve(previous.intermediate, curve)
          ? previous
          : { number: t.number, status: t.status, params: t.params, meta: t.meta, value: t.value, intermediate: curve };
    }
    this.records = trials;
    this.views = views;
    return views;
  }
}

function sameCurve(a: Curve, b: Curve): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.step !== b[i]!.step || a[i]!.value !== b[i]!.value) return false;
  return true;
}
