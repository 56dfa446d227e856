/**
 * A few SVG building blocks the charts share: escaped elements, a plot frame with axes, a colour ramp.
 *
 * The report draws its own SVG instead of inlining a charting library: the six chart kinds need only
 * points, lines, bars and axes (a few hundred lines here, against 200 kB to 3 MB of minified library per
 * page), the file opens offline in any browser with no script needed to see the charts, and every user
 * string goes through one escaping function.
 */
import { escapeHtml } from "./escape.js";
import type { Scale } from "./scale.js";

export type Attrs = Readonly<Record<string, string | number | null | undefined>>;

/** `<tag attrs>children</tag>`; attribute values and `text` are escaped, `children` are already markup. */
export function el(tag: string, attrs: Attrs, children: string | readonly string[] = ""): string {
  const attrText = Object.entries(attrs)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeHtml(typeof v === "number" ? round(v) : v)}"`)
    .join("");
  const inner = typeof children === "string" ? children : children.join("");
  return `<${tag}${attrText}>${inner}</${tag}>`;
}

export function text(x: number, y: number, content: string, attrs: Attrs = {}): string {
  return el("text", { x, y, ...attrs }, escapeHtml(content));
}

/** Pixel coordinates with two decimals: enough for any screen, and half the file size of full precision. */
export function round(v: number): number {
  return Math.round(v * 100) / 100;
}

export function svg(width: number, height: number, label: string, children: readonly string[]): string {
  return el(
    "svg",
    { class: "chart", viewBox: `0 0 ${width} ${height}`, width, height, role: "img", "aria-label": label, xmlns: "http://www.w3.org/2000/svg" },
    children,
  );
}

export interface Frame {
  readonly width: number;
  readonly height: number;
  /** The plot area inside the margins. */
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

export function frame(width: number, height: number, margin = { left: 64, right: 16, top: 12, bottom: 44 }): Frame {
  return { width, height, left: margin.left, right: width - margin.right, top: margin.top, bottom: height - margin.bottom };
}

/** Bottom and left axes with ticks, light grid lines and axis titles. */
export function axes(f: Frame, x: Scale, y: Scale, xTitle: string, yTitle: string): string {
  const parts: string[] = [];
  for (const t of y.ticks) {
    parts.push(el("line", { class: "grid", x1: f.left, x2: f.right, y1: t.at, y2: t.at }));
    parts.push(text(f.left - 6, t.at + 4, t.label, { class: "tick", "text-anchor": "end" }));
  }
  // Labels longer than the room between ticks (about 6.5 px a character at 11 px) are cut, with the full
  // value still on the points' hover text.
  const spacing = x.ticks.length > 1 ? Math.abs(x.ticks[1]!.at - x.ticks[0]!.at) : f.right - f.left;
  for (const t of x.ticks) {
    parts.push(el("line", { class: "tick-mark", x1: t.at, x2: t.at, y1: f.bottom, y2: f.bottom + 4 }));
    const label = truncate(t.label, Math.max(4, Math.floor(spacing / 6.5)));
    parts.push(text(t.at, f.bottom + 16, label, { class: "tick", "text-anchor": "middle" }));
  }
  parts.push(el("line", { class: "axis", x1: f.left, x2: f.right, y1: f.bottom, y2: f.bottom }));
  parts.push(el("line", { class: "axis", x1: f.left, x2: f.left, y1: f.top, y2: f.bottom }));
  parts.push(text((f.left + f.right) / 2, f.height - 6, xTitle, { class: "axis-title", "text-anchor": "middle" }));
  parts.push(
    text(14, (f.top + f.bottom) / 2, yTitle, { class: "axis-title", "text-anchor": "middle", transform: `rotate(-90 14 ${round((f.top + f.bottom) / 2)})` }),
  );
  return parts.join("");
}

/** A perceptually ordered ramp (viridis' endpoints and midpoints): t = 0 dark purple, t = 1 yellow. */
const RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

export function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hex(RAMP[i]!);
  const b = hex(RAMP[i + 1]!);
  const mix = a.map((c, k) => Math.round(c + (b[k]! - c) * (x - i)));
  return `#${mix.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

function hex(color: string): number[] {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
}

/** `points="x,y x,y"` for a polyline. */
export function polylinePoints(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y]) => `${round(x)},${round(y)}`).join(" ");
}

/** `text` cut to `max` characters with an ellipsis. */
export function truncate(value: string, max: number): string {
  return value.length > max ? value.slice(0, Math.max(1, max - 1)) + "…" : value;
}
