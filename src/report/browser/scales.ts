/**
 * Scales map data to pixels and pick readable ticks: linear (optionally whole numbers only, for epochs and
 * trial numbers), log (ticks at powers of ten and their 2x/5x), and categorical (evenly spaced bands).
 */
interface Tick { at: number; label: string; value: number | string }

interface Scale {
  place(value: unknown): number | null;
  /** The data value at a pixel position (numeric scales), for brushing. */
  invert?(px: number): number;
  ticks: Tick[];
  kind: "linear" | "log" | "band";
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / power;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * power;
}

/** Linear; `integer`: ticks on whole numbers only (never 1.5 epochs). */
function linearScale(lo: number, hi: number, r0: number, r1: number, count = 5, integer = false): Scale {
  if (!(hi > lo)) [lo, hi] = [lo - (Math.abs(lo) || 1) * 0.05, hi + (Math.abs(hi) || 1) * 0.05];
  const place = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? r0 + ((v - lo) / (hi - lo)) * (r1 - r0) : null);
  let step = niceStep(hi - lo, count);
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: Tick[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    const value = Math.abs(v) < step * 1e-9 ? 0 : v;
    ticks.push({ at: place(value)!, label: fmt(Number(value.toPrecision(12))), value });
  }
  return { place, invert: (px) => lo + ((px - r0) / (r1 - r0)) * (hi - lo), ticks, kind: "linear" };
}

function logScale(lo: number, hi: number, r0: number, r1: number): Scale {
  if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
  if (!(hi > lo)) hi = lo * 10;
  const l0 = Math.log10(lo);
  const l1 = Math.log10(hi);
  const place = (v: unknown) => (typeof v === "number" && v > 0 && Number.isFinite(v) ? r0 + ((Math.log10(v) - l0) / (l1 - l0)) * (r1 - r0) : null);
  const ticks: Tick[] = [];
  const decades = l1 - l0;
  const multipliers = decades > 3 ? [1] : decades > 1.2 ? [1, 3] : [1, 2, 5];
  for (let e = Math.floor(l0); e <= Math.ceil(l1); e++) {
    for (const m of multipliers) {
      const v = m * Math.pow(10, e);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push({ at: place(v)!, label: fmt(Number(v.toPrecision(6))), value: v });
    }
  }
  if (ticks.length < 2) {
    for (const v of [lo, hi]) ticks.push({ at: place(v)!, label: fmt(v), value: v });
  }
  return { place, invert: (px) => Math.pow(10, l0 + ((px - r0) / (r1 - r0)) * (l1 - l0)), ticks, kind: "log" };
}

/** Categories at the centres of equal bands. */
function bandScale(categories: string[], r0: number, r1: number): Scale {
  const n = Math.max(1, categories.length);
  const at = (i: number) => r0 + ((i + 0.5) / n) * (r1 - r0);
  return {
    place: (v) => {
      const i = categories.indexOf(fmtValue(v));
      return i < 0 ? null : at(i);
    },
    ticks: categories.map((c, i) => ({ at: at(i), label: c, value: c })),
    kind: "band",
  };
}

/** The scale for a parameter axis. */
function axisScale(axis: ParamAxis, r0: number, r1: number): Scale {
  if (axis.kind === "categorical") return bandScale(axis.categories, r0, r1);
  return axis.log ? logScale(axis.low, axis.high, r0, r1) : linearScale(axis.low, axis.high, r0, r1, 5, false);
}

/** Where a value sits on an axis from 0 (start) to 1 (end); null when missing. Used by brushes. */
function axisFraction(axis: ParamAxis, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (axis.kind === "categorical") {
    const i = axis.categories.indexOf(fmtValue(value));
    return i < 0 ? null : (i + 0.5) / axis.categories.length;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (axis.log) return value > 0 ? (Math.log(value) - Math.log(axis.low)) / (Math.log(axis.high) - Math.log(axis.low)) : null;
  return axis.high === axis.low ? 0.5 : (value - axis.low) / (axis.high - axis.low);
}

interface Frame { width: number; height: number; left: number; right: number; top: number; bottom: number }

function frame(width: number, height: number, margin: Partial<{ left: number; right: number; top: number; bottom: number }> = {}): Frame {
  const m = { left: 64, right: 16, top: 14, bottom: 44, ...margin };
  return { width, height, left: m.left, right: width - m.right, top: m.top, bottom: height - m.bottom };
}

/** Bottom and left axes, grid lines, and titles; x labels that would collide are thinned, long ones cut in the middle. */
function drawAxes(g: SVGElement, f: Frame, x: Scale, y: Scale, xTitle: string, yTitle: string): void {
  const yLabels = y.kind === "band" ? distinctLabels(y.ticks.map((t) => t.label), f.left - 30) : y.ticks.map((t) => midTruncate(t.label, f.left - 30));
  y.ticks.forEach((t, i) => {
    g.appendChild(s("line", { class: "grid", x1: f.left, x2: f.right, y1: t.at, y2: t.at }));
    g.appendChild(svgText(f.left - 6, t.at + 4, yLabels[i]!, { class: "tick", "text-anchor": "end" }, t.label));
  });
  const spacing = x.ticks.length > 1 ? Math.abs(x.ticks[1]!.at - x.ticks[0]!.at) : f.right - f.left;
  const widest = Math.max(...x.ticks.map((t) => textWidth(t.label)), 1);
  const every = x.kind === "band" ? 1 : Math.max(1, Math.ceil((widest + 8) / spacing));
  const room = Math.max(24, spacing - 6);
  const xLabels = x.kind === "band" ? distinctLabels(x.ticks.map((t) => t.label), room) : x.ticks.map((t) => midTruncate(t.label, room));
  x.ticks.forEach((t, i) => {
    g.appendChild(s("line", { class: "tick-mark", x1: t.at, x2: t.at, y1: f.bottom, y2: f.bottom + 4 }));
    if (i % every !== 0) return;
    g.appendChild(svgText(t.at, f.bottom + 16, xLabels[i]!, { class: "tick", "text-anchor": "middle" }, t.label));
  });
  g.appendChild(s("line", { class: "axis", x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom }));
  g.appendChild(s("line", { class: "axis", x1: f.left, x2: f.left, y1: f.top, y2: f.bottom }));
  g.appendChild(svgText((f.left + f.right) / 2, f.height - 6, midTruncate(xTitle, f.right - f.left, 12, "600"), { class: "axis-title", "text-anchor": "middle" }, xTitle));
  const cy = (f.top + f.bottom) / 2;
  g.appendChild(svgText(14, cy, midTruncate(yTitle, f.bottom - f.top, 12, "600"), { class: "axis-title", "text-anchor": "middle", transform: `rotate(-90 14 ${cy})` }, yTitle));
}
