/**
 * Plain-text tables for terminals: columns padded to their widest cell, numbers right-aligned.
 * Kept dependency-free because every listing command uses it and its output is part of what users read.
 * Headers and cells hold names and values from users and trainers, so their control characters are
 * escaped (newlines and tabs too: they would break the layout).
 */
import { escapeControl } from "../terminal-text.js";

export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string | number | null | undefined;
  /** Right-align (numbers). Default: right when every value is a number. */
  readonly align?: "left" | "right";
  /** Cut longer cells to this many characters with an ellipsis. */
  readonly maxWidth?: number;
}

export function renderTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string {
  const cells = rows.map((row) => columns.map((c) => formatCell(c.value(row), c.maxWidth)));
  const widths = columns.map((c, i) => Math.max(displayWidth(escapeControl(c.header)), ...cells.map((r) => displayWidth(r[i]!))));
  const rightAligned = columns.map(
    (c) => c.align === "right" || (c.align === undefined && rows.length > 0 && rows.every((r) => typeof c.value(r) === "number")),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (rightAligned[i] ? padStart(v, widths[i]!) : padEnd(v, widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => escapeControl(c.header))), ...cells.map(line)].join("\n");
}

/** Numbers in a short, stable form: integers as is, others with up to 6 significant digits. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(6)));
}

/** A parameter value as it should appear in a table cell. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return formatNumber(value);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function formatCell(value: string | number | null | undefined, maxWidth?: number): string {
  const text = escapeControl(typeof value === "number" ? formatNumber(value) : (value ?? ""));
  if (maxWidth !== undefined && displayWidth(text) > maxWidth) return text.slice(0, Math.max(1, maxWidth - 1)) + "…";
  return text;
}

/** Terminal columns a string takes: wide (CJK, Hangul) characters count twice, so Korean names line up. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += isWide(ch.codePointAt(0)!) ? 2 : 1;
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6)
  );
}

function padEnd(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}

function padStart(text: string, width: number): string {
  return " ".repeat(Math.max(0, width - displayWidth(text))) + text;
}
