/**
 * Numbers in REAL columns. SQLite keeps ±Infinity as IEEE doubles but turns NaN into NULL, which for
 * `trials.value` would mean "no value yet" — a diverged run would look like one that never reported.
 * NaN is therefore written as the text 'NaN' (the schema's CHECK constraints allow exactly that text).
 */
import { StoredValueError } from "../errors.js";

const NAN_TEXT = "NaN";

export function toSqlReal(value: number): number | string;
export function toSqlReal(value: number | null): number | string | null;
export function toSqlReal(value: number | null): number | string | null {
  if (value === null) return null;
  return Number.isNaN(value) ? NAN_TEXT : value;
}

/** Reads a REAL column back; `where` names the cell for the error raised on anything unexpected. */
export function fromSqlReal(stored: unknown, where: string): number | null {
  if (stored === null || typeof stored === "number") return stored;
  if (stored === NAN_TEXT) return Number.NaN;
  throw new StoredValueError(`${where} holds ${JSON.stringify(stored)}, expected a number, 'NaN' or NULL`);
}
