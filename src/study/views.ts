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

/**
 * Views made earlier, per record object. Storages hand the proposer the same frozen record while a trial is
 * unchanged, so on a large sweep almost every view is reused instead of rebuilt on every ask.
 */
const viewCache = new WeakMap<TrialRecord, TrialView>();

export function toTrialViews(trials: readonly TrialRecord[], curves: ReadonlyMap<number, Curve>): TrialView[] {
  return trials.map((t) => {
    const curve = curves.get(t.id) ?? NO_CURVE;
    const cached = viewCache.get(t);
    if (cached && sameCurve(cached.intermediate, curve)) return cached;
    const view: TrialView = { number: t.number, status: t.status, params: t.params, meta: t.meta, value: t.value, intermediate: curve };
    if (Object.isFrozen(t)) viewCache.set(t, view);
    return view;
  });
}

const NO_CURVE: Curve = Object.freeze([]);

function sameCurve(a: Curve, b: Curve): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.step !== b[i]!.step || a[i]!.value !== b[i]!.value) return false;
  return true;
}
