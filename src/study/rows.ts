/**
 * Trials as plain rows for a table or CSV, in Optuna's `trials_dataframe` shape: fixed columns first, then
 * `params_<name>` per parameter and `user_attrs_<key>` per user attribute, so a list of rows turns into a
 * data frame (or `console.table`) as is.
 */
import type { TrialRecord, TrialStatus } from "../storage/types.js";

export interface TrialRowsOptions {
  /** Add `intermediate_values`: the sweep metric's reported values of the current attempt, by step. */
  readonly intermediate?: boolean;
}

export interface TrialRow {
  readonly number: number;
  readonly state: TrialStatus;
  readonly value: number | null;
  readonly datetime_start: string | null;
  readonly datetime_complete: string | null;
  /** Seconds from start to finish; null until the trial finished. */
  readonly duration: number | null;
  readonly attempt: number;
  readonly worker: string | null;
  readonly error: string | null;
  readonly prune_step: number | null;
  readonly intermediate_values?: readonly { readonly step: number; readonly value: number }[];
  /** `params_<dotted name>` and `user_attrs_<key>` columns. */
  readonly [column: string]: unknown;
}

export function toTrialRows(
  records: readonly TrialRecord[],
  curves?: ReadonlyMap<number, readonly { step: number; value: number }[]>,
): TrialRow[] {
  return records.map((t) => {
    const row: Record<string, unknown> = {
      number: t.number,
      state: t.status,
      value: t.value,
      datetime_start: t.startedAt,
      datetime_complete: t.finishedAt,
      duration: t.startedAt !== null && t.finishedAt !== null ? (Date.parse(t.finishedAt) - Date.parse(t.startedAt)) / 1000 : null,
      attempt: t.attempt,
      worker: t.worker,
      error: t.error,
      prune_step: t.pruneStep,
    };
    for (const [name, value] of Object.entries(t.params)) row[`params_${name}`] = value;
    const attrs = t.meta.userAttrs;
    if (attrs !== null && typeof attrs === "object") {
      for (const [key, value] of Object.entries(attrs)) row[`user_attrs_${key}`] = value;
    }
    if (curves !== undefined) row.intermediate_values = curves.get(t.id) ?? [];
    return row as TrialRow;
  });
}
