/**
 * How a `BestResult` is laid out, shared by the terminal table, CSV/JSON and the HTML report so they all
 * show the same columns: model, metric, trial, lr, batch size, warmup, weight decay, then every other param.
 */
import type { BestResult, BestRow } from "./best.js";
import { HYPERPARAMETER_ROLES } from "./hyperparams.js";
import type { RecordTable } from "./records.js";
import { formatValue, type Column } from "./table.js";

export interface BestColumn {
  readonly header: string;
  /** The raw value (numbers unrounded), for files. */
  readonly value: (row: BestRow) => unknown;
  /** Text for a terminal or a page; default `formatValue(value)`. */
  readonly text?: (row: BestRow) => string;
  readonly numeric?: boolean;
  /** Only in files: the terminal and the page fold it into the neighbouring cell. */
  readonly fileOnly?: boolean;
}

/**
 * The columns. A role column is headed by the parameter's own name when every sweep calls it the same; when
 * they differ (`lr` here, `learning_rate` there) it is headed by the role and each cell says which parameter
 * it is, and files get a `<role>_param` column beside it. Roles no sweep has are left out.
 */
export function bestColumns(result: BestResult): BestColumn[] {
  const columns: BestColumn[] = [{ header: "model", value: (r) => r.model }];
  if (result.rows.some((r) => r.rank > 1)) columns.push({ header: "rank", value: (r) => r.rank, numeric: true });
  columns.push({ header: result.metric, value: (r) => r.value, numeric: true });
  columns.push({ header: "sweep", value: (r) => r.sweepId });
  columns.push({ header: "trial", value: (r) => r.trialNumber, numeric: true });
  if (result.rows.some((r) => r.status !== "completed")) columns.push({ header: "status", value: (r) => r.status });
  for (const spec of HYPERPARAMETER_ROLES) {
    const names = new Set(result.rows.map((r) => r.roles[spec.role]?.name).filter((n) => n !== undefined));
    if (names.size === 0) continue;
    const value = (r: BestRow) => r.roles[spec.role]?.value ?? null;
    if (names.size === 1) {
      columns.push({ header: [...names][0]!, value });
      continue;
    }
    columns.push({
      header: spec.label,
      value,
      text: (r) => {
        const role = r.roles[spec.role];
        return role ? `${formatValue(role.value)} (${role.name})` : "";
      },
    });
    columns.push({ header: `${spec.label}_param`, value: (r) => r.roles[spec.role]?.name ?? null, fileOnly: true });
  }
  for (const name of result.otherParams) columns.push({ header: name, value: (r) => r.params[name] ?? null });
  columns.push({ header: "trials", value: (r) => r.candidates, numeric: true });
  return columns;
}

/** Columns for `renderTable` (the `<role>_param` helper columns are folded into the cells). */
export function bestTableColumns(result: BestResult): Column<BestRow>[] {
  return bestColumns(result)
    .filter((c) => !c.fileOnly)
    .map((c) => ({
      header: c.header,
      value: (r: BestRow) => (c.text ? c.text(r) : formatValue(c.value(r))),
      align: c.numeric ? ("right" as const) : undefined,
      maxWidth: 48,
    }));
}

/** One record per row, raw values, for CSV/JSON files. */
export function bestRecords(result: BestResult): RecordTable {
  const columns = bestColumns(result);
  return {
    columns: columns.map((c) => c.header),
    rows: result.rows.map((r) => Object.fromEntries(columns.map((c) => [c.header, c.value(r)]))),
  };
}
