/**
 * Learning curves: every trial's reported values of the metric by step. Pruned trials are grey and dashed
 * and end in a cross at the step where they were stopped; the best trial is drawn thick on top.
 */
import type { TrialData } from "../data.js";
import type { ChartInput } from "./input.js";
import { trialTip } from "./input.js";
import { linearScale } from "./scale.js";
import { axes, el, frame, polylinePoints, svg } from "./svg.js";

export function curvesChart(input: ChartInput, metric: string): string | null {
  const withCurve = input.data.trials.filter((t) => (t.curves.get(metric)?.length ?? 0) > 0);
  if (withCurve.length === 0) return null;
  const all = withCurve.flatMap((t) => t.curves.get(metric)!.filter((p) => Number.isFinite(p.value)));
  const f = frame(760, 340);
  const x = linearScale(Math.min(...all.map((p) => p.step)), Math.max(...all.map((p) => p.step)), f.left + 6, f.right - 6, 8);
  const y = linearScale(Math.min(...all.map((p) => p.value)), Math.max(...all.map((p) => p.value)), f.bottom - 6, f.top + 6);
  // Pruned and other unfinished curves under the completed ones, the best trial last.
  const rank = (t: TrialData) => (t.record === input.best ? 3 : t.record.status === "completed" ? 2 : 1);
  const ordered = [...withCurve].sort((a, b) => rank(a) - rank(b));
  const marks = ordered.map((t) => {
    const points = t.curves.get(metric)!.filter((p) => Number.isFinite(p.value)).map((p) => [x.place(p.step)!, y.place(p.value)!] as [number, number]);
    const cls = t.record === input.best ? "curve best" : t.record.status === "completed" ? "curve" : `curve ${t.record.status}`;
    const parts = [el("polyline", { class: cls, points: polylinePoints(points), "data-tip": trialTip(t.record, input.metric) })];
    const end = points[points.length - 1]!;
    if (t.record.status === "pruned") {
      const d = 4;
      parts.push(
        el("path", {
          class: "prune-mark",
          d: `M${end[0] - d},${end[1] - d}L${end[0] + d},${end[1] + d}M${end[0] - d},${end[1] + d}L${end[0] + d},${end[1] - d}`,
          "data-tip": `trial ${t.record.number} pruned at step ${t.record.pruneStep ?? "?"}${t.record.pruneReason ? `: ${t.record.pruneReason}` : ""}`,
        }),
      );
    }
    return el("g", {}, parts);
  });
  const legend = el("g", { class: "legend", transform: `translate(${f.right - 320},${f.top + 4})` }, [
    el("line", { class: "curve", x1: 0, x2: 20, y1: 6, y2: 6 }),
    el("text", { x: 26, y: 10 }, "completed"),
    el("line", { class: "curve pruned", x1: 100, x2: 120, y1: 6, y2: 6 }),
    el("text", { x: 126, y: 10 }, "pruned (× = stopped)"),
    el("line", { class: "curve best", x1: 250, x2: 270, y1: 6, y2: 6 }),
    el("text", { x: 276, y: 10 }, "best"),
  ]);
  return svg(f.width, f.height, `learning curves of ${metric}`, [axes(f, x, y, "step", metric), ...marks, legend]);
}
