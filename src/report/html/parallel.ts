/**
 * Parallel coordinates: one vertical axis per varied parameter and a last one for the objective; each
 * completed trial is a line across them, coloured by its value (yellow = best end), so the good region of
 * every parameter shows as where the bright lines bunch.
 */
import type { TrialRecord } from "../../storage/types.js";
import type { ChartInput } from "./input.js";
import { trialTip } from "./input.js";
import { linearScale, paramScale, type Scale } from "./scale.js";
import { escapeHtml } from "./escape.js";
import { el, polylinePoints, rampColor, svg, text, truncate } from "./svg.js";

const AXIS_GAP = 150;

export function parallelChart(input: ChartInput): string {
  const trials = input.valued.filter((t) => t.status === "completed");
  const top = 34;
  const bottom = 300;
  const left = 110;
  const width = left + AXIS_GAP * input.axes.length + 90;
  const values = trials.map((t) => t.value!);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const valueScale = linearScale(low, high, bottom, top);
  const columns: { title: string; scale: Scale; value: (t: TrialRecord) => unknown }[] = [
    ...input.axes.map((axis) => ({ title: axis.name, scale: paramScale(axis, bottom, top), value: (t: TrialRecord) => t.params[axis.name] })),
    { title: input.metric ?? "value", scale: valueScale, value: (t: TrialRecord) => t.value },
  ];
  const xOf = (i: number) => left + i * AXIS_GAP;
  // 1 for the best value under the goal, 0 for the worst: the colour means "good", whichever the direction.
  const goodness = (v: number) => (high === low ? 1 : input.goal === "maximize" ? (v - low) / (high - low) : (high - v) / (high - low));

  // Worst first, so the best lines are drawn on top.
  const ordered = [...trials].sort((a, b) => goodness(a.value!) - goodness(b.value!));
  const lines = ordered.map((t) => {
    const points: [number, number][] = [];
    columns.forEach((c, i) => {
      const y = c.scale.place(c.value(t));
      if (y !== null) points.push([xOf(i), y]);
    });
    return el("polyline", {
      class: t === input.best ? "pc-line best" : "pc-line",
      points: polylinePoints(points),
      stroke: rampColor(goodness(t.value!)),
      "data-tip": trialTip(t, input.metric),
    });
  });

  const axisMarks = columns.map((c, i) => {
    const x = xOf(i);
    const ticks = thin(c.scale.ticks, 12).map((t) => text(x - 6, t.at + 4, truncate(t.label, 15), { class: "tick", "text-anchor": "end" }));
    return el("g", { class: "pc-axis" }, [
      el("line", { class: "axis", x1: x, x2: x, y1: top, y2: bottom }),
      el("text", { x, y: top - 14, class: "axis-title", "text-anchor": "middle" }, [el("title", {}, escapeHtml(c.title)), escapeHtml(truncate(c.title, 22))]),
      ...ticks,
    ]);
  });
  return svg(width, bottom + 24, `parallel coordinates of ${input.axes.map((a) => a.name).join(", ")}`, [...lines, ...axisMarks]);
}

/** At most `max` ticks, evenly picked, so a categorical axis with many values stays readable. */
function thin<T>(ticks: readonly T[], max: number): readonly T[] {
  if (ticks.length <= max) return ticks;
  const every = Math.ceil(ticks.length / max);
  return ticks.filter((_, i) => i % every === 0);
}
