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

export function toTrialViews(
  trials: readonly TrialRecord[],
  curves: ReadonlyMap<number, readonly { step: number; value: number }[]>,
): TrialView[] {
  return trials.map((t) => ({
    number: t.number,
    status: t.status,
    params: t.params,
    meta: t.meta,
    value: t.value,
    intermediate: curves.get(t.id) ?? [],
  }));
}
