/**
 * A sweep config given to the library as a JavaScript object has lost what a YAML file or a Python dict
 * keeps: `0.0` and `0` are the same number. W&B infers `int_uniform` when both `min` and `max` are Python
 * ints and `uniform` otherwise, so `{min: 0.0, max: 1.0}` samples reals there.
 *
 * The rule for objects: whole-number `min` and `max` without a `distribution` are read as integers, as in a
 * file (`int_uniform`), and each such parameter gets a warning, because the object cannot tell whether
 * `1.0` was meant. Writing `distribution: "uniform"` (reals) or `"int_uniform"` (integers) says which and
 * silences it. Text (YAML or JSON) keeps the literal, so `createSweep({config: "..."})` needs no rule.
 */
import type { Diagnostic } from "../config/types.js";

export const INT_RANGE_WARNING_CODE = "SWEEP_INT_RANGE_FROM_OBJECT";

/** One warning per parameter whose kind was inferred as int_uniform from whole-number bounds in an object. */
export function ambiguousIntRanges(config: Readonly<Record<string, unknown>>): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(config.parameters, "parameters", out);
  return out;
}

function visit(parameters: unknown, path: string, out: Diagnostic[]): void {
  if (!isObject(parameters)) return;
  for (const [name, definition] of Object.entries(parameters)) {
    if (!isObject(definition)) continue;
    const here = `${path}.${name}`;
    if (isObject(definition.parameters)) {
      visit(definition.parameters, `${here}.parameters`, out);
      continue;
    }
    const { min, max } = definition;
    if (definition.distribution !== undefined || !Number.isInteger(min) || !Number.isInteger(max)) continue;
    out.push({
      severity: "warning",
      path: here,
      message:
        `${here}: min ${String(min)} and max ${String(max)} are whole numbers, and a JavaScript object cannot say ` +
        `${String(min)}.0: sampling integers (int_uniform ${String(min)}..${String(max)}), as W&B does for Python ints. ` +
        `Write distribution: "uniform" for real numbers, or distribution: "int_uniform" to keep integers without this warning.`,
    });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
