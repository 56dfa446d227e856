/**
 * Flat records (one object per row, the same keys in the same order) and their file formats: CSV per
 * RFC 4180, a JSON array, JSON Lines. Each is read as is by `pandas.read_csv` / `pandas.read_json`.
 */

export interface RecordTable {
  /** Column names in output order; every record has exactly these keys. */
  readonly columns: readonly string[];
  readonly rows: readonly Readonly<Record<string, unknown>>[];
}

export type RecordFormat = "csv" | "json" | "jsonl";

export function formatRecords(table: RecordTable, format: RecordFormat): string {
  switch (format) {
    case "csv":
      return toCsv(table);
    case "json":
      return JSON.stringify(table.rows.map((r) => jsonRecord(table.columns, r)), null, 2) + "\n";
    case "jsonl":
      return table.rows.map((r) => JSON.stringify(jsonRecord(table.columns, r)) + "\n").join("");
  }
}

/** CSV with CRLF line ends, a header row, and fields quoted only when they must be. */
export function toCsv(table: RecordTable): string {
  const lines = [table.columns.map((c) => csvField(c)), ...table.rows.map((r) => table.columns.map((c) => csvField(r[c])))];
  return lines.map((fields) => fields.join(",") + "\r\n").join("");
}

/**
 * One CSV field. Empty for null/undefined (pandas reads it as NaN); numbers in full precision; infinities as
 * `inf`/`-inf`, which pandas parses as floats; objects as JSON text. Quoted when the text holds a comma, a
 * quote, a line break, or leading/trailing space (which some readers would trim).
 */
export function csvField(value: unknown): string {
  const text = fieldText(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function fieldText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "nan";
    if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
    return String(value);
  }
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  return JSON.stringify(value);
}

/** JSON has no NaN or infinity: they become null, as pandas writes them. Keys keep the column order. */
function jsonRecord(columns: readonly string[], row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of columns) {
    const v = row[c];
    out[c] = v === undefined || (typeof v === "number" && !Number.isFinite(v)) ? null : v;
  }
  return out;
}
