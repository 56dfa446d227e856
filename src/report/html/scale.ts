/**
 * Mapping data to pixels, and tick positions that read well (1, 2, 5 × 10^k steps; decades on log axes).
 */
import { axisPosition, type ParamAxis } from "../param-axes.js";
import { formatNumber } from "../table.js";

export interface Tick {
  /** Pixel position. */
  readonly at: number;
  readonly label: string;
}

export interface Scale {
  /** Pixel position of a value, or null when it cannot be placed (missing, not on the axis). */
  readonly place: (value: unknown) => number | null;
  readonly ticks: readonly Tick[];
}

/** A numeric scale over [low, high] (widened to nice bounds) onto [from, to] pixels. */
export function linearScale(low: number, high: number, from: number, to: number, tickCount = 5): Scale {
  const { lo, hi, values } = niceTicks(low, high, tickCount);
  const px = (v: number) => from + ((v - lo) / (hi - lo)) * (to - from);
  return {
    place: (v) => (typeof v === "number" && Number.isFinite(v) ? px(v) : null),
    ticks: values.map((v) => ({ at: px(v), label: formatNumber(v) })),
  };
}

/** Tick values at 1-2-5 steps, and the nice bounds [lo, hi] around [low, high] they span. */
export function niceTicks(low: number, high: number, count = 5): { lo: number; hi: number; values: number[] } {
  if (!(high > low)) [low, high] = [low - (Math.abs(low) || 1) * 0.1, high + (Math.abs(high) || 1) * 0.1];
  const step = niceStep((high - low) / count);
  const lo = Math.floor(low / step) * step;
  const hi = Math.ceil(high / step) * step;
  const values: number[] = [];
  // Rounded so 0.1 + 0.2 style drift does not print as 0.30000000000000004.
  for (let i = 0; lo + i * step <= hi + step / 2; i++) values.push(Number((lo + i * step).toPrecision(12)));
  return { lo, hi, values };
}

/** The scale of a parameter axis (linear, log or categorical) onto [from, to] pixels. */
export function paramScale(axis: ParamAxis, from: number, to: number): Scale {
  const px = (position: number) => from + position * (to - from);
  const place = (v: unknown) => {
    const position = axisPosition(axis, v);
    return position === null ? null : px(position);
  };
  if (axis.kind === "categorical") {
    return { place, ticks: axis.categories.map((label, i) => ({ at: px((i + 0.5) / axis.categories.length), label })) };
  }
  if (!axis.log) {
    const values = niceTicks(axis.low, axis.high).values.filter((v) => v >= axis.low && v <= axis.high);
    return { place, ticks: values.map((v) => ({ at: px(axisPosition(axis, v)!), label: formatNumber(v) })) };
  }
  return { place, ticks: logTicks(axis.low, axis.high).map((v) => ({ at: px(axisPosition(axis, v)!), label: formatNumber(v) })) };
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

/** Decades inside [low, high]; with fewer than two decades, 1-2-5 steps too; the bounds when nothing else fits. */
function logTicks(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(low)); e <= Math.ceil(Math.log10(high)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(6));
      if (v >= low * (1 - 1e-9) && v <= high * (1 + 1e-9)) ticks.push(v);
    }
  }
  const decades = ticks.filter((v) => Number.isInteger(Math.log10(v)));
  if (decades.length >= 2) return decades;
  return ticks.length >= 2 ? ticks : [low, high];
}
