/**
 * Optimization history: each trial's objective by trial number, and the running best as a step line, so
 * one sees whether the search was still improving when it stopped.
 */
import { isBetter } from "../../study/objective.js";
import type { ChartInput } from "./input.js";
import { trialTip } from "./input.js";
import { linearScale } from "./scale.js";
import { axes, el, frame, polylinePoints, svg } from "./svg.js";

export function historyChart(input: ChartInput): string {
  const { valued, goal, metric } = input;
  const f = frame(760, 320);
  const lastNumber = Math.max(1, ...input.data.trials.map((t) => t.record.number));
  const x = linearScale(0, lastNumber, f.left + 8, f.right - 8, 8);
  const values = valued.map((t) => t.value!);
  const y = linearScale(Math.min(...values), Math.max(...values), f.bottom - 6, f.top + 6);

  const bestLine: [number, number][] = [];
  let best: number | null = null;
  for (const t of valued) {
    if (t.status !== "completed") continue;
    if (best === null || isBetter(goal, t.value!, best)) {
      if (best !== null) bestLine.push([x.place(t.number)!, y.place(best)!]);
      best = t.value!;
      bestLine.push([x.place(t.number)!, y.place(best)!]);
    }
  }
  if (best !== null) bestLine.push([x.place(lastNumber)!, y.place(best)!]);

  const points = valued.map((t) =>
    el("circle", {
      class: t.status === "pruned" ? "pt pruned" : t === input.best ? "pt best" : "pt",
      cx: x.place(t.number),
      cy: y.place(t.value),
      r: t === input.best ? 6 : 4,
      "data-tip": trialTip(t, metric),
    }),
  );
  const legend = el("g", { class: "legend", transform: `translate(${f.right - 250},${f.top + 4})` }, [
    el("circle", { class: "pt", cx: 6, cy: 6, r: 4 }),
    el("text", { x: 14, y: 10 }, "completed"),
    el("circle", { class: "pt pruned", cx: 96, cy: 6, r: 4 }),
    el("text", { x: 104, y: 10 }, "pruned"),
    el("line", { class: "best-line", x1: 160, x2: 180, y1: 6, y2: 6 }),
    el("text", { x: 186, y: 10 }, "best so far"),
  ]);
  return svg(f.width, f.height, `optimization history of ${metric}`, [
    axes(f, x, y, "trial", metric ?? "value"),
    el("polyline", { class: "best-line", points: polylinePoints(bestLine) }),
    ...points,
    legend,
  ]);
}
