/**
 * Values written the way Python writes them, so trainers see the same text under `sweep` as under the W&B
 * agent, which builds `${args}` with `f"--{name}={value}"` (Python's `str()`) and `${args_json}` with
 * `json.dumps`.
 *
 * JavaScript has one number type; Python has int and float, and prints them differently (`1` vs `1.0`).
 * A `FloatMask` (from the resolved search space, see config/float-marks.ts) says which integral numbers of a
 * value are Python floats. Numbers that are not integral are always floats.
 */
import type { FloatMask } from "../space/types.js";

/** Python's `repr(float)`: the shortest digits that round-trip, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const sign = x < 0 ? "-" : "";
  // toExponential() without an argument gives the shortest round-tripping digits, as Python's repr does.
  const [mantissa, exponentText] = Math.abs(x).toExponential().split("e") as [string, string];
  const digits = mantissa.replace(".", "");
  const exponent = Number(exponentText);
  // Python (format_float_short, mode 'r'): fixed notation when -4 <= exponent < 16.
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const magnitude = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${body}e${exponent < 0 ? "-" : "+"}${magnitude}`;
  }
  const point = exponent + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point < digits.length) return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
}

/**
 * A float when marked, when not integral, or when beyond 2^53: JavaScript cannot hold such an int exactly, and
 * a literal that large is a float in practice (`1e300`).
 */
function isFloat(x: number, mask: FloatMask | undefined): boolean {
  return mask === true || !Number.isSafeInteger(x);
}

function pythonNumber(x: number, mask: FloatMask | undefined): string {
  return isFloat(x, mask) ? pythonFloatRepr(x) : String(x);
}

function itemMask(mask: FloatMask | undefined, key: number | string): FloatMask | undefined {
  if (mask === undefined || typeof mask === "boolean") return undefined;
  return (mask as Record<string | number, FloatMask>)[key];
}

/** Characters Python's `str.isprintable()` rejects (other than ASCII controls, handled separately). */
const NON_PRINTABLE = /[\p{C}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's `repr(str)`: single quotes unless the text has a single quote and no double quote. */
export function pythonStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code < 0x7f || ch === " ") out += ch;
    else if (!NON_PRINTABLE.test(ch)) out += ch;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else if (code <= 0xffff) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += `\\U${code.toString(16).padStart(8, "0")}`;
  }
  return out + quote;
}

/** Python's `repr()` of a JSON-like value. */
export function pythonRepr(value: unknown, mask?: FloatMask): string {
  if (typeof value === "string") return pythonStrRepr(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => pythonRepr(v, itemMask(mask, i))).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const items = Object.entries(value).map(([k, v]) => `${pythonStrRepr(k)}: ${pythonRepr(v, itemMask(mask, k))}`);
    return `{${items.join(", ")}}`;
  }
  return pythonStr(value, mask);
}

/**
 * Python's `str()`: what `f"--{name}={value}"` writes. `True`/`False`, `None`, `1.0` for a float, `1e-05`,
 * strings as they are, lists and dicts as their repr (`[1, 2]`, `['a', 'b']`, `{'k': 1.0}`).
 */
export function pythonStr(value: unknown, mask?: FloatMask): string {
  if (value === true) return "True";
  if (value === false) return "False";
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return value;
  if (typeof value === "number") return pythonNumber(value, mask);
  if (typeof value === "bigint") return value.toString();
  return pythonRepr(value, mask);
}

/** JSON string escaping as Python's `json.dumps` does it (ensure_ascii: every non-ASCII character escaped). */
function pythonJsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = text.charCodeAt(i); // UTF-16 units: astral characters come out as surrogate pairs, as in Python
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/** Python's `json.dumps(value)` with its defaults: `", "` and `": "` separators, `1.0`, `NaN`, `Infinity`. */
export function pythonJsonDumps(value: unknown, mask?: FloatMask): string {
  if (value === true) return "true";
  if (value === false) return "false";
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return pythonJsonString(value);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (value === Infinity) return "Infinity";
    if (value === -Infinity) return "-Infinity";
    return pythonNumber(value, mask);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => pythonJsonDumps(v, itemMask(mask, i))).join(", ")}]`;
  if (typeof value === "object") {
    const items = Object.entries(value).map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v, itemMask(mask, k))}`);
    return `{${items.join(", ")}}`;
  }
  return pythonJsonString(String(value));
}
