/**
 * Small DOM helpers. Every user string (names, parameter values, errors) reaches the page through
 * textContent or setAttribute, never through innerHTML, so nothing a trainer reports can become markup.
 */
const SVG_NS = "http://www.w3.org/2000/svg";

type Attrs = Record<string, string | number | boolean | null | undefined>;
type Child = Node | string | null | undefined | false;

function setAttrs(el: Element, attrs: Attrs): void {
  for (const key of Object.keys(attrs)) {
    const v = attrs[key];
    if (v === null || v === undefined || v === false) continue;
    el.setAttribute(key, v === true ? "" : typeof v === "number" ? String(Math.round(v * 100) / 100) : v);
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
  }
}

/** An HTML element. */
function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element. */
function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** An `<svg>` chart of a given size, labelled for screen readers (and for the tests). */
function svgChart(width: number, height: number, label: string): SVGSVGElement {
  return s("svg", { class: "chart", width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label }) as SVGSVGElement;
}

/** SVG text with a hover title holding the full string when `shown` is a shortened form. */
function svgText(x: number, y: number, shown: string, attrs: Attrs = {}, full?: string): SVGElement {
  const t = s("text", { x, y, ...attrs }, shown);
  if (full !== undefined && full !== shown) t.appendChild(s("title", {}, full));
  return t;
}

let measureContext: CanvasRenderingContext2D | null = null;

/** Rendered width in px of `text` in the page's font at `size` px; measured, so CJK and Latin both count right. */
function textWidth(text: string, size = 11, weight = "normal"): number {
  if (!measureContext) measureContext = document.createElement("canvas").getContext("2d");
  if (!measureContext) return text.length * size * 0.6;
  measureContext.font = `${weight} ${size}px ${FONT_FAMILY}`;
  return measureContext.measureText(text).width;
}

const FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", "Noto Sans CJK KR", "Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif';

/**
 * `text` shortened in the middle to fit `maxPx`: Hugging Face names differ at both ends
 * ("monologg/koelectra-base-v3-discriminator", "klue/roberta-base"), so keeping the start (the
 * organisation) and the end (the variant) keeps them apart where cutting the end would not.
 */
function midTruncate(text: string, maxPx: number, size = 11, weight = "normal"): string {
  if (textWidth(text, size, weight) <= maxPx) return text;
  const chars = Array.from(text);
  let lo = 0;
  let hi = chars.length;
  let best = "…";
  while (lo <= hi) {
    const keep = Math.floor((lo + hi) / 2);
    const head = Math.ceil(keep / 2);
    const candidate = chars.slice(0, head).join("") + "…" + chars.slice(chars.length - (keep - head)).join("");
    if (textWidth(candidate, size, weight) <= maxPx) {
      best = candidate;
      lo = keep + 1;
    } else hi = keep - 1;
  }
  return best;
}

/** Numbers in a short, stable form (as the CLI prints them). */
function fmt(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (Number.isInteger(value) || !Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3).replace(/\.?0+e/, "e");
  return String(Number(value.toPrecision(4)));
}

function fmtValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return fmt(value);
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

function fmtDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** A perceptually ordered ramp (viridis): t = 0 dark purple, t = 1 yellow. */
const RAMP = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];

function rampColor(t: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (RAMP.length - 1);
  const i = Math.min(RAMP.length - 2, Math.floor(x));
  const a = hexRgb(RAMP[i]!);
  const b = hexRgb(RAMP[i + 1]!);
  return `rgb(${a.map((c, k) => Math.round(c + (b[k]! - c) * (x - i))).join(",")})`;
}

function hexRgb(color: string): number[] {
  return [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
}

/** Colours for models (Tableau 10): distinct, and readable on white. */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const STATUS_COLOR: Record<TrialStatus, string> = {
  completed: "#3b528b",
  pruned: "#98a2b3",
  failed: "#d92d20",
  running: "#2e90fa",
  interrupted: "#f79009",
  queued: "#d0d5dd",
};

/** A horizontal colour bar from `lowLabel` (dark) to `highLabel` (bright), the legend of a ramp. */
function colorBar(x: number, y: number, width: number, title: string, lowLabel: string, highLabel: string, id: string): SVGElement {
  const gradient = s("linearGradient", { id, x1: 0, x2: 1, y1: 0, y2: 0 });
  RAMP.forEach((c, i) => gradient.appendChild(s("stop", { offset: `${(i / (RAMP.length - 1)) * 100}%`, "stop-color": c })));
  return s(
    "g",
    { class: "legend color-bar", transform: `translate(${x},${y})` },
    s("defs", {}, gradient),
    svgText(0, 9, title, { class: "legend-title" }),
    s("rect", { x: 0, y: 13, width, height: 8, fill: `url(#${id})`, rx: 2 }),
    svgText(0, 33, lowLabel, { class: "tick" }),
    svgText(width, 33, highLabel, { class: "tick", "text-anchor": "end" }),
  );
}

/** The tooltip: one fixed box filled from `data-tip` attributes (as text, never markup). */
function installTooltip(): void {
  const tip = h("div", { id: "tip", hidden: true });
  document.body.appendChild(tip);
  document.addEventListener("mouseover", (e) => {
    const target = (e.target as Element).closest ? (e.target as Element).closest("[data-tip]") : null;
    if (!target) {
      tip.hidden = true;
      return;
    }
    tip.textContent = target.getAttribute("data-tip");
    tip.hidden = false;
  });
  document.addEventListener("mousemove", (e) => {
    if (tip.hidden) return;
    tip.style.left = `${Math.max(4, Math.min(e.clientX + 14, window.innerWidth - tip.offsetWidth - 8))}px`;
    tip.style.top = `${Math.max(4, Math.min(e.clientY + 14, window.innerHeight - tip.offsetHeight - 8))}px`;
  });
}

/**
 * Labels for a set of values shown side by side (the categories of one axis), each fitting `maxPx` and no
 * two alike: cut in the middle where that keeps them apart, else around the part where a label differs
 * from the others ("monologg/koelectra-base-v3-discriminator" and "…-small-v3-…" differ only inside).
 */
function distinctLabels(labels: string[], maxPx: number, size = 11, weight = "normal"): string[] {
  const mid = labels.map((l) => midTruncate(l, maxPx, size, weight));
  return labels.map((label, i) => (mid[i] === label || mid.filter((m) => m === mid[i]).length === 1 ? mid[i]! : aroundDifference(label, labels, maxPx, size, weight)));
}

function aroundDifference(label: string, all: string[], maxPx: number, size: number, weight: string): string {
  const chars = Array.from(label);
  let prefix = 0;
  let suffix = 0;
  for (const other of all) {
    if (other === label) continue;
    const oc = Array.from(other);
    let k = 0;
    while (k < chars.length && k < oc.length && chars[k] === oc[k]) k++;
    let j = 0;
    while (j < chars.length - k && j < oc.length - k && chars[chars.length - 1 - j] === oc[oc.length - 1 - j]) j++;
    prefix = Math.max(prefix, k);
    suffix = Math.max(suffix, j);
  }
  let start = Math.min(prefix, chars.length - 1);
  let end = Math.max(start + 1, chars.length - suffix);
  const shown = (a: number, b: number) => (a > 0 ? "…" : "") + chars.slice(a, b).join("") + (b < chars.length ? "…" : "");
  const fits = (text: string) => textWidth(text, size, weight) <= maxPx;
  if (!fits(shown(start, end))) return midTruncate(chars.slice(start, end).join(""), maxPx, size, weight);
  for (let grew = true; grew; ) {
    grew = false;
    if (start > 0 && fits(shown(start - 1, end))) [start, grew] = [start - 1, true];
    if (end < chars.length && fits(shown(start, end + 1))) [end, grew] = [end + 1, true];
  }
  return shown(start, end);
}
