/**
 * The regret plot as a self-contained SVG: one panel per problem, median simple regret (log scale) against
 * trials with the interquartile range shaded, one colour per method. No plotting dependency.
 */
import type { EfficiencyResult, ProblemResult } from "./efficiency.js";

const COLOURS = ["#d62728", "#ff7f0e", "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd", "#8c564b"];
const PANEL_W = 360;
const PANEL_H = 240;
const MARGIN = { left: 56, right: 12, top: 28, bottom: 36 };
/** Regret floor on the log axis, so a run that hit the optimum exactly still has a place on it. */
const FLOOR = 1e-9;

function esc(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function panel(problem: ProblemResult, x0: number, y0: number): string {
  const trials = problem.methods[0]!.curve.length;
  const values = problem.methods.flatMap((m) => m.curve.flatMap((s) => [s.q1, s.q3])).map((v) => Math.max(v, FLOOR));
  const top = Math.ceil(Math.log10(Math.max(...values)));
  const bottom = Math.floor(Math.log10(Math.min(...values)));
  const span = Math.max(1, top - bottom);
  const w = PANEL_W - MARGIN.left - MARGIN.right;
  const h = PANEL_H - MARGIN.top - MARGIN.bottom;
  const sx = (t: number) => x0 + MARGIN.left + ((t - 1) / Math.max(1, trials - 1)) * w;
  const sy = (v: number) => y0 + MARGIN.top + ((top - Math.log10(Math.max(v, FLOOR))) / span) * h;
  const parts: string[] = [];
  parts.push(`<text x="${x0 + PANEL_W / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${esc(problem.name)} (${problem.dims}-d)</text>`);
  parts.push(`<rect x="${x0 + MARGIN.left}" y="${y0 + MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`);
  for (let e = bottom; e <= top; e++) {
    const y = sy(10 ** e);
    parts.push(`<line x1="${x0 + MARGIN.left}" x2="${x0 + MARGIN.left + w}" y1="${y}" y2="${y}" stroke="#eee"/>`);
    parts.push(`<text x="${x0 + MARGIN.left - 4}" y="${y + 4}" text-anchor="end" font-size="10">1e${e}</text>`);
  }
  for (const t of [1, Math.round(trials / 4), Math.round(trials / 2), Math.round((3 * trials) / 4), trials]) {
    parts.push(`<text x="${sx(t)}" y="${y0 + MARGIN.top + h + 14}" text-anchor="middle" font-size="10">${t}</text>`);
  }
  parts.push(`<text x="${x0 + MARGIN.left + w / 2}" y="${y0 + PANEL_H - 4}" text-anchor="middle" font-size="10">trials</text>`);
  problem.methods.forEach((method, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const upper = method.curve.map((s, t) => `${sx(t + 1).toFixed(1)},${sy(s.q3).toFixed(1)}`);
    const lower = method.curve.map((s, t) => `${sx(t + 1).toFixed(1)},${sy(s.q1).toFixed(1)}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(" ")}" fill="${colour}" fill-opacity="0.10" stroke="none"/>`);
    const line = method.curve.map((s, t) => `${sx(t + 1).toFixed(1)},${sy(s.median).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="1.6"/>`);
  });
  return parts.join("\n");
}

export function regretSvg(result: EfficiencyResult): string {
  const columns = 3;
  const rows = Math.ceil(result.problems.length / columns);
  const methods = result.problems[0]?.methods.map((m) => m.label) ?? [];
  const legendH = 20 * Math.ceil(methods.length / 2) + 10;
  const width = columns * PANEL_W;
  const height = rows * PANEL_H + legendH + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">Simple regret: median over ${result.settings.seeds} seeds, interquartile range shaded</text>`,
  ];
  result.problems.forEach((problem, i) => parts.push(panel(problem, (i % columns) * PANEL_W, 30 + Math.floor(i / columns) * PANEL_H)));
  const legendY = 30 + rows * PANEL_H + 10;
  methods.forEach((label, i) => {
    const x = 20 + (i % 2) * (width / 2);
    const y = legendY + 20 * Math.floor(i / 2);
    parts.push(`<line x1="${x}" x2="${x + 24}" y1="${y}" y2="${y}" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3"/>`);
    parts.push(`<text x="${x + 30}" y="${y + 4}">${esc(label)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
