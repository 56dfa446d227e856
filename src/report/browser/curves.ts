/**
 * Learning curves, coloured by model, with pruned trials dashed and crossed where they stopped and running
 * trials ending in a dot (they grow as the trainer reports); and the live cards of the GPU slots.
 */
function curvesChart(view: SweepView, state: PageState, width: number): HTMLElement {
  const names = view.metricNames;
  if (names.length === 0) return note("No trial reported intermediate values yet.");
  const metric = state.curveMetric && names.includes(state.curveMetric) ? state.curveMetric : view.metric && names.includes(view.metric.name) ? view.metric.name : names[0]!;
  const select = h("select", { id: "curve-metric" });
  for (const n of names) select.appendChild(h("option", { value: n, selected: n === metric }, n));
  select.addEventListener("change", () => {
    state.curveMetric = select.value;
    render();
  });
  const withCurve = view.trials.filter((t) => (t.curves?.[metric]?.length ?? 0) > 0);
  if (withCurve.length === 0) return h("div", {}, h("div", { class: "controls" }, h("label", {}, "metric ", select)), note(`No trial reported ${metric} yet.`));
  const all = withCurve.flatMap((t) => t.curves![metric]!);
  const steps = all.map((p) => p[0]);
  const integer = steps.every((v) => Number.isInteger(v));
  const f = frame(width, 360, { top: 12 });
  const x = linearScale(Math.min(...steps), Math.max(...steps), f.left + 6, f.right - 6, 8, integer);
  const vals = all.map((p) => p[1]);
  const y = linearScale(Math.min(...vals), Math.max(...vals), f.bottom - 6, f.top + 6);
  const svg = svgChart(width, f.height, `learning curves of ${metric}`);
  drawAxes(svg, f, x, y, integer ? "step (epoch)" : "step", metric);
  const best = bestTrial(view);
  const rank = (t: TrialView) => (t === best ? 4 : t.status === "running" ? 3 : t.status === "completed" ? 2 : 1);
  for (const t of [...withCurve].sort((a, b) => rank(a) - rank(b))) {
    const pts = t.curves![metric]!.map(([sx, sy]) => [x.place(sx)!, y.place(sy)!] as const);
    const color = modelColor(view, modelOf(view, t));
    const style = LINE_STYLE[t.status];
    const g = s("g", { class: `curve-group ${t.status}`, "data-trial": t.number, "data-points": pts.length });
    g.appendChild(
      s("polyline", {
        class: `curve ${t.status}${t === best ? " best" : ""}`, points: pts.map((p) => p.join(",")).join(" "),
        stroke: color, "stroke-dasharray": t.status === "completed" ? null : style.dash, "stroke-width": t === best ? 3 : t.status === "running" ? 2 : 1.4,
        "data-tip": `${modelOf(view, t)}\n${tipOf(view, t)}`,
      }),
    );
    const end = pts[pts.length - 1]!;
    if (t.status === "pruned") {
      const d = 4;
      g.appendChild(s("path", { class: "prune-mark", d: `M${end[0] - d},${end[1] - d}L${end[0] + d},${end[1] + d}M${end[0] - d},${end[1] + d}L${end[0] + d},${end[1] - d}`, "data-tip": tipOf(view, t) }));
    } else if (t.status === "running" || pts.length === 1) {
      g.appendChild(s("circle", { class: "curve-end", cx: end[0], cy: end[1], r: 3.5, fill: color, "data-tip": tipOf(view, t) }));
    }
    svg.appendChild(g);
  }
  // The legend sits under the chart, never over the data: one entry per model, then the line styles.
  const legend = h("div", { class: "legend-row" });
  for (const m of modelNames(view)) {
    if (!withCurve.some((t) => modelOf(view, t) === m)) continue;
    legend.appendChild(h("span", { class: "legend-item", title: m }, h("span", { class: "swatch", style: `background:${modelColor(view, m)}` }), midTruncate(m, 260, 12)));
  }
  legend.appendChild(h("span", { class: "legend-item" }, "— completed   ┄ pruned (× where stopped)   ● running (latest report)   thick: best"));
  return h("div", {}, h("div", { class: "controls" }, h("label", {}, "metric ", select)), svg, legend);
}

/** One card per running trial: its GPU, how far it is (steps reported against the longest finished trial), the latest value. */
function slotsView(view: SweepView): HTMLElement | null {
  const running = view.trials.filter((t) => t.status === "running");
  const queued = view.trials.filter((t) => t.status === "queued").length;
  if (running.length === 0 && view.sweep.status !== "running") return null;
  const metric = view.metric?.name ?? view.metricNames[0] ?? null;
  const finishedSteps = view.trials.filter((t) => t.status === "completed").map((t) => Math.max(0, ...Object.values(t.curves ?? {}).map((c) => c.length)));
  const expected = finishedSteps.length ? Math.max(...finishedSteps) : 0;
  const cards = running
    .sort((a, b) => (a.gpus ?? "").localeCompare(b.gpus ?? "", undefined, { numeric: true }) || a.number - b.number)
    .map((t) => {
      const curve = metric ? t.curves?.[metric] ?? [] : [];
      const reported = Math.max(0, ...Object.values(t.curves ?? {}).map((c) => c.length));
      const latest = curve.length ? curve[curve.length - 1]! : null;
      const share = expected > 0 ? Math.min(1, reported / expected) : 0;
      const elapsed = t.startedAt ? (Date.parse(view.readAt) - Date.parse(t.startedAt)) / 1000 : null;
      return h(
        "div",
        { class: "slot", "data-trial": t.number },
        h("div", { class: "slot-gpu" }, t.gpus === null ? "?" : t.gpus === "" ? "CPU" : `GPU ${t.gpus}`),
        h("div", { class: "slot-trial", title: modelOf(view, t) }, `trial ${t.number}${t.attempt > 1 ? ` (attempt ${t.attempt})` : ""} · ${midTruncate(modelOf(view, t), 170, 12)}`),
        h("div", { class: "progress" }, h("span", { style: `width:${(share * 100).toFixed(0)}%` })),
        h("div", { class: "slot-facts" }, `${reported} report${reported === 1 ? "" : "s"}${expected ? ` of ~${expected}` : ""}`, latest && metric ? ` · ${metric} ${fmt(latest[1])}` : "", elapsed !== null ? ` · ${fmtDuration(elapsed)}` : ""),
      );
    });
  return h("div", { class: "slots" }, ...cards, running.length === 0 ? note("No trial is running right now.") : null, queued ? note(`${queued} queued`) : null);
}
