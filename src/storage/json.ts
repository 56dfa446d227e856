/**
 * JSON encoding for the free-form parts of records (configs, params, meta, event data).
 *
 * Plain JSON would turn NaN and ±Infinity into `null` without a word — a diverged metric copied into an
 * event or a meta field would silently read back as "no value". Non-finite numbers are therefore written as
 * a tagged object, `{"$nonFinite":"NaN"}` (or "Infinity" / "-Infinity"), and turned back into numbers on
 * read. Everything else follows JSON: `undefined` members are dropped, Dates become strings.
 *
 * Both backends store these strings, so the memory backend hands out the same (copied) values the SQLite
 * one would.
 */
import { StorageError, StoredValueError } from "./errors.js";

const NON_FINITE_TAG = "$nonFinite";
const NON_FINITE_VALUES = new Map<string, number>([
  ["NaN", Number.NaN],
  ["Infinity", Number.POSITIVE_INFINITY],
  ["-Infinity", Number.NEGATIVE_INFINITY],
]);

function replaceNonFinite(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) return { [NON_FINITE_TAG]: String(value) };
  return value;
}

function reviveNonFinite(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === NON_FINITE_TAG) {
      const tagged = (value as Record<string, unknown>)[NON_FINITE_TAG];
      if (typeof tagged === "string" && NON_FINITE_VALUES.has(tagged)) return NON_FINITE_VALUES.get(tagged);
    }
  }
  return value;
}

/**
 * Encode `value` as JSON text. `what` names the value for the error message ("params of trial 3").
 * Returns null for `undefined` (nothing to store).
 */
export function encodeJson(value: unknown, what: string): string | null {
  try {
    const text = JSON.stringify(value, replaceNonFinite);
    return text === undefined ? null : text;
  } catch (err) {
    throw new StorageError(`${what} cannot be stored as JSON: ${(err as Error).message}`, { cause: err });
  }
}

/** Like encodeJson, for values that must be a plain object (params, meta). */
export function encodeJsonObject(value: unknown, what: string): string {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new StorageError(`${what} must be a plain object, got ${describe(value)}`);
  }
  return encodeJson(value, what) as string;
}

/**
 * Decode text written by encodeJson. The reviver only runs when a tag is present: parsing stays cheap.
 * `where` names the stored value ("params of trial 7") in the StoredValueError raised for text that does not
 * parse, which only a damaged file (or another program's edit) can hold.
 */
export function decodeJson(text: string | null, where = "a stored JSON value"): unknown {
  if (text === null) return null;
  try {
    return text.includes(`"${NON_FINITE_TAG}"`) ? JSON.parse(text, reviveNonFinite) : JSON.parse(text);
  } catch (err) {
    throw new StoredValueError(`${where} is not valid JSON (${(err as Error).message})`, { cause: err });
  }
}

/** A short description of a bad value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  return "an object";
}
