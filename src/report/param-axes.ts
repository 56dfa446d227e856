/**
 * How a parameter's values are laid out on a chart axis or a density grid: numbers on a linear or log axis
 * over the searched range, anything else as evenly spaced categories. Shared by the importance analysis and
 * the report's charts so both read the space the same way.
 */
import { valueBounds } from "../space/index.js";
import type { SearchSpace } from "../space/types.js";
import { formatValue } from "./table.js";

export type ParamAxis =
  | { readonly name: string; readonly kind: "numeric"; readonly log: boolean; readonly low: number; readonly high: number }
  | { readonly name: string; readonly kind: "categorical"; readonly categories: readonly string[] };

/**
 * The axis for `name` given the values trials took (missing values ignored). Null when fewer than two
 * distinct values occur: a constant has nothing to plot and no importance.
 */
export function paramAxis(space: SearchSpace | null, name: string, values: readonly unknown[]): ParamAxis | null {
  const present = values.filter((v) => v !== undefined && v !== null);
  const distinct = new Set(present.map(categoryOf));
  if (distinct.size < 2) return null;
  const dist = space?.params.find((p) => p.name === name)?.dist;
  const numbers = present.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (dist?.kind !== "categorical" && dist?.kind !== "constant" && numbers.length === present.length) {
    const bounds = dist ? valueBounds(dist) : null;
    let low = Math.min(...numbers, bounds?.low ?? Infinity);
    let high = Math.max(...numbers, bounds?.high ?? -Infinity);
    const log = dist !== undefined && dist.kind.includes("log") && low > 0;
    if (low === high) [low, high] = [low - 0.5, high + 0.5];
    return { name, kind: "numeric", log, low, high };
  }
  const declared = dist?.kind === "categorical" ? dist.values.map(categoryOf) : [];
  const seen = [...distinct].filter((c) => !declared.includes(c));
  if (seen.every((c) => c !== "" && Number.isFinite(Number(c)))) seen.sort((a, b) => Number(a) - Number(b));
  return { name, kind: "categorical", categories: [...declared, ...seen] };
}

/** A value's category label (also how categorical values are compared). */
export function categoryOf(value: unknown): string {
  return formatValue(value);
}

/** Where a value sits on the axis, 0 to 1 (categories at their centres); null for a missing value. */
export function axisPosition(axis: ParamAxis, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (axis.kind === "categorical") {
    const index = axis.categories.indexOf(categoryOf(value));
    return index < 0 ? null : (index + 0.5) / axis.categories.length;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (axis.log) {
    if (value <= 0) return null;
    return (Math.log(value) - Math.log(axis.low)) / (Math.log(axis.high) - Math.log(axis.low));
  }
  return (value - axis.low) / (axis.high - axis.low);
}
