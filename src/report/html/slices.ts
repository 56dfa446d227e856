/**
 * Slice plots: the objective against each parameter alone, one small chart per parameter, points coloured
 * by trial number (dark = early, yellow = late) so one also sees where the sampler concentrated.
 */
import type { ChartInput } from "./input.js";
import { trialTip } from "./input.js";
import { linearScale, paramScale } from "./scale.js";
import { axes, el, frame, rampColor, svg } from "./svg.js";

export function sliceCharts(input: ChartInput): string[] {
  const trials = input.valued.filter((t) => t.status === "completed");
  const values = trials.map((t) => t.value!);
  const lastNumber = Math.max(1, ...trials.map((t) => t.number));
  return input.axes.map((axis) => {
    const f = frame(370, 260);
    const x = paramScale(axis, f.left + 10, f.right - 10);
    const y = linearScale(Math.min(...values), Math.max(...values), f.bottom - 6, f.top + 6, 4);
    const points = trials.flatMap((t) => {
      const cx = x.place(t.params[axis.name]);
      if (cx === null) return [];
      return [
        el("circle", {
          class: t === input.best ? "pt best" : "pt ramp",
          cx,
          cy: y.place(t.value),
          r: t === input.best ? 6 : 4,
          fill: t === input.best ? null : rampColor(t.number / lastNumber),
          "data-tip": trialTip(t, input.metric),
        }),
      ];
    });
    const title = axis.kind === "numeric" && axis.log ? `${axis.name} (log scale)` : axis.name;
    return el("figure", { class: "slice" }, svg(f.width, f.height, `${input.metric ?? "value"} against ${axis.name}`, [axes(f, x, y, title, input.metric ?? "value"), ...points]));
  });
}
