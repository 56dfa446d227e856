/**
 * The charts of a sweep, each a function of the view and the page state that returns an element:
 * optimization history, parallel coordinates (with brushes), importance, slices, contour, the GPU
 * timeline and the per-model comparison. Learning curves are in curves.ts.
 */

/** Better values map to 1 and worse to 0 over the trials' range, whatever the goal: yellow is always good. */
function goodness(view: SweepView): (value: number) => number {
  const values = view.trials.map((t) => t.value).filter((v): v is number => v !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const up = view.metric?.goal !== "minimize";
  return (v) => (hi > lo ? (up ? (v - lo) / (hi - lo) : (hi - v) / (hi - lo)) : 1);
}

function isBetter(view: SweepView, a: number, b: number): boolean {
  return view.metric?.goal === "minimize" ? a < b : a > b;
}

function bestTrial(view: SweepView, trials: TrialView[] = view.trials): TrialView | null {
  let best: TrialView | null = null;
  for (const t of trials) if (t.status === "completed" && t.value !== null && (best === null || isBetter(view, t.value, best.value!))) best = t;
  return best;
}

function tipOf(view: SweepView, t: TrialView): string {
  const head = `trial ${t.number} · ${t.status}${t.value !== null && view.metric ? ` · ${view.metric.name} ${fmt(t.value)}` : ""}`;
  const extra = t.status === "pruned" && t.pruneStep !== null ? [`pruned at step ${t.pruneStep}${t.pruneReason ? `: ${t.pruneReason}` : ""}`] : t.error ? [t.error] : [];
  return [head, ...Object.keys(t.params).map((k) => `${k} = ${fmtValue(t.params[k])}`), ...extra].join("\n");
}

function note(text: string): HTMLElement {
  return h("p", { class: "note" }, text);
}

/** Objective by trial number with the running best; a log-scale toggle when every value is positive. */
function historyChart(view: SweepView, state: PageState, width: number): HTMLElement {
  const valued = view.trials.filter((t) => t.value !== null);
  if (!view.metric || valued.length === 0) return note(view.metric ? "No trial has a value yet." : "The sweep has no metric, so trials have no value to chart.");
  const positive = valued.every((t) => t.value! > 0);
  const log = state.historyLog && positive;
  const f = frame(width, 320, { top: 30 });
  const last = Math.max(1, ...view.trials.map((t) => t.number));
  const x = linearScale(0, last, f.left + 8, f.right - 8, 8, true);
  const values = valued.map((t) => t.value!);
  const y = log ? logScale(Math.min(...values), Math.max(...values), f.bottom - 6, f.top + 6) : linearScale(Math.min(...values), Math.max(...values), f.bottom - 6, f.top + 6);
  const svg = svgChart(width, f.height, `optimization history of ${view.metric.name}`);
  drawAxes(svg, f, x, y, "trial", view.metric.name + (log ? " (log)" : ""));
  const line: string[] = [];
  let best: number | null = null;
  for (const t of [...valued].sort((a, b) => a.number - b.number)) {
    if (t.status !== "completed") continue;
    if (best === null || isBetter(view, t.value!, best)) {
      if (best !== null) line.push(`${x.place(t.number)},${y.place(best)}`);
      best = t.value!;
      line.push(`${x.place(t.number)},${y.place(best)}`);
    }
  }
  if (best !== null) line.push(`${x.place(last)},${y.place(best)}`);
  svg.appendChild(s("polyline", { class: "best-line", points: line.join(" ") }));
  const top = bestTrial(view);
  for (const t of valued) {
    const cls = t === top ? "pt best" : t.status === "completed" ? "pt" : `pt ${t.status}`;
    svg.appendChild(s("circle", { class: cls, cx: x.place(t.number), cy: y.place(t.value), r: t === top ? 6 : 4, "data-tip": tipOf(view, t), "data-trial": t.number }));
  }
  const legend = s("g", { class: "legend", transform: `translate(${f.left + 4},6)` });
  legend.append(
    s("circle", { class: "pt", cx: 6, cy: 8, r: 4 }), svgText(14, 12, "completed"),
    s("circle", { class: "pt pruned", cx: 96, cy: 8, r: 4 }), svgText(104, 12, "pruned (value when stopped)"),
    s("line", { class: "best-line", x1: 270, x2: 290, y1: 8, y2: 8 }), svgText(296, 12, "best so far"),
  );
  svg.appendChild(legend);
  const toggle = h("label", { class: "toggle" }, h("input", { type: "checkbox", id: "history-log", checked: log, disabled: !positive }), " log scale");
  toggle.querySelector("input")!.addEventListener("change", (e) => {
    state.historyLog = (e.target as HTMLInputElement).checked;
    render();
  });
  return h("div", {}, toggle, positive ? null : h("span", { class: "note inline" }, " (not every value is positive)"), svg);
}

/** The objective as one more axis of the parallel coordinates. */
function valueAxis(view: SweepView): NumericAxis | null {
  const values = view.trials.map((t) => t.value).filter((v): v is number => v !== null);
  if (!view.metric || values.length === 0) return null;
  return { name: view.metric.name, kind: "numeric", log: false, low: Math.min(...values), high: Math.max(...values) };
}

const VALUE_AXIS_KEY = "\u0000value";

/** Whether a trial passes every brush (axis name -> [from, to] as fractions of the axis, 0 at the bottom). */
function passesBrushes(view: SweepView, state: PageState, t: TrialView): boolean {
  for (const key of Object.keys(state.brushes)) {
    const [a, b] = state.brushes[key]!;
    let frac: number | null;
    if (key === VALUE_AXIS_KEY) {
      const axis = valueAxis(view);
      frac = axis ? axisFraction(axis, t.value) : null;
    } else {
      const axis = view.axes.find((ax) => ax.name === key);
      if (!axis) continue;
      frac = axisFraction(axis, t.params[key]);
    }
    if (frac === null || frac < a - 1e-9 || frac > b + 1e-9) return false;
  }
  return true;
}

const LINE_STYLE: Record<TrialStatus, { dash: string | null; width: number }> = {
  completed: { dash: null, width: 1.6 },
  pruned: { dash: "5 3", width: 1.2 },
  failed: { dash: "1.5 3", width: 1.6 },
  running: { dash: "8 3", width: 1.8 },
  interrupted: { dash: "2 2", width: 1.2 },
  queued: { dash: "1 4", width: 1 },
};

/**
 * Parallel coordinates: an axis per varied parameter and one for the objective; every trial is a line, of any
 * state (completed coloured by value, the others grey, red, blue by state and dashed differently). Dragging
 * along an axis brushes a range there; lines outside every brush fade, and the trials table shows only the
 * trials inside them. A click on an axis clears its brush.
 */
function parallelChart(view: SweepView, state: PageState, width: number): HTMLElement {
  const vAxis = valueAxis(view);
  const axes: { key: string; axis: ParamAxis }[] = view.axes.map((a) => ({ key: a.name, axis: a }));
  if (vAxis) axes.push({ key: VALUE_AXIS_KEY, axis: vAxis });
  if (axes.length < 2) return note("Parallel coordinates need at least two axes: no parameter took two or more values yet.");
  const labelBudget = Math.min(150, Math.max(60, (width - 120) / axes.length - 24));
  const left = labelBudget + 16;
  const right = width - 24;
  const top = 82;
  const bottom = 380;
  const gap = (right - left) / (axes.length - 1);
  const svg = svgChart(width, bottom + 26, "parallel coordinates");
  const good = goodness(view);
  const scales = axes.map((a, i) => ({ ...a, x: left + i * gap, scale: axisScale(a.axis, bottom, top) }));

  const lines = s("g", { class: "pc-lines" });
  const order: TrialStatus[] = ["queued", "interrupted", "failed", "pruned", "running", "completed"];
  const best = bestTrial(view);
  const trials = [...view.trials].sort((a, b) => order.indexOf(a.status) - order.indexOf(b.status) || (a === best ? 1 : b === best ? -1 : 0));
  for (const t of trials) {
    const points: string[] = [];
    for (const a of scales) {
      const y = a.scale.place(a.key === VALUE_AXIS_KEY ? t.value : t.params[a.key]);
      if (y !== null) points.push(`${a.x},${y}`);
    }
    if (points.length < 2) continue;
    const style = LINE_STYLE[t.status];
    const color = t.status === "completed" && t.value !== null ? rampColor(good(t.value)) : STATUS_COLOR[t.status];
    lines.appendChild(
      s("polyline", {
        class: `pc-line ${t.status}${t === best ? " best" : ""}${passesBrushes(view, state, t) ? "" : " dim"}`,
        points: points.join(" "),
        stroke: color,
        "stroke-dasharray": style.dash,
        "stroke-width": t === best ? 3 : style.width,
        "data-tip": tipOf(view, t),
        "data-trial": t.number,
      }),
    );
  }
  svg.appendChild(lines);

  for (const a of scales) {
    const g = s("g", { class: "pc-axis" });
    g.appendChild(s("line", { class: "axis", x1: a.x, x2: a.x, y1: top, y2: bottom }));
    const budget = a === scales[0] ? labelBudget : Math.min(labelBudget, gap - 20);
    const labels = distinctLabels(a.scale.ticks.map((t) => t.label), budget);
    a.scale.ticks.forEach((t, i) => {
      g.appendChild(s("line", { class: "tick-mark", x1: a.x - 4, x2: a.x, y1: t.at, y2: t.at }));
      g.appendChild(svgText(a.x - 7, t.at + 4, labels[i]!, { class: "tick", "text-anchor": "end", "data-axis-label": a.axis.name }, t.label));
    });
    const title = a.key === VALUE_AXIS_KEY ? `${a.axis.name} (${view.metric!.goal === "maximize" ? "max" : "min"})` : a.axis.name + (a.axis.kind === "numeric" && a.axis.log ? " (log)" : "");
    const titleRoom = a === scales[0] || a === scales[scales.length - 1] ? Math.min(gap, 2 * labelBudget) : gap - 8;
    const anchor = a === scales[scales.length - 1] ? "end" : a === scales[0] ? "start" : "middle";
    const tx = anchor === "end" ? a.x + 12 : anchor === "start" ? a.x - Math.min(labelBudget, 40) : a.x;
    g.appendChild(svgText(tx, top - 12, midTruncate(title, titleRoom, 12, "600"), { class: "axis-title", "text-anchor": anchor }, title));
    const brush = state.brushes[a.key];
    if (brush) {
      const y0 = bottom + (top - bottom) * brush[1];
      const y1 = bottom + (top - bottom) * brush[0];
      g.appendChild(s("rect", { class: "brush", x: a.x - 9, width: 18, y: y0, height: Math.max(2, y1 - y0) }));
    }
    const hit = s("rect", { class: "brush-hit", x: a.x - 14, width: 28, y: top - 4, height: bottom - top + 8, "data-axis": a.key === VALUE_AXIS_KEY ? "value" : a.key });
    attachBrush(hit, g, a.x, top, bottom, (range) => {
      if (range) state.brushes[a.key] = range;
      else delete state.brushes[a.key];
      render();
    });
    g.appendChild(hit);
    svg.appendChild(g);
  }
  // Legend: the value colour bar and the line styles of the other states, above the axes, never over lines.
  const legend = s("g", { class: "legend", transform: `translate(${left - labelBudget},6)` });
  let lx = 0;
  for (const status of ["pruned", "failed", "running", "interrupted"] as TrialStatus[]) {
    if (!view.trials.some((t) => t.status === status)) continue;
    legend.appendChild(s("line", { x1: lx, x2: lx + 22, y1: 8, y2: 8, stroke: STATUS_COLOR[status], "stroke-width": 2, "stroke-dasharray": LINE_STYLE[status].dash }));
    legend.appendChild(svgText(lx + 26, 12, status));
    lx += 40 + textWidth(status);
  }
  if (vAxis) {
    const [lowLabel, highLabel] = view.metric!.goal === "maximize" ? [fmt(vAxis.low), fmt(vAxis.high)] : [fmt(vAxis.high), fmt(vAxis.low)];
    const barTitle = `completed trials' ${view.metric!.name}`;
    const barWidth = Math.max(160, textWidth(barTitle, 11, "600") + 4);
    svg.appendChild(colorBar(Math.max(lx + left - labelBudget + 20, right - barWidth), 4, barWidth, barTitle, `worse ${lowLabel}`, `${highLabel} better`, "pc-ramp"));
  }
  svg.appendChild(legend);
  const shown = view.trials.filter((t) => passesBrushes(view, state, t)).length;
  const clear = h("button", { type: "button", class: "link", id: "clear-brushes" }, "clear brushes");
  clear.addEventListener("click", () => {
    state.brushes = {};
    render();
  });
  const hint = Object.keys(state.brushes).length > 0
    ? h("p", { class: "note", id: "brush-status" }, `${shown} of ${view.trials.length} trials inside the brushes (the trials table shows only these). `, clear)
    : h("p", { class: "note", id: "brush-status" }, "Drag along any axis to select a range; click an axis to clear its range.");
  return h("div", { class: "scroll" }, hint, svg);
}

/** Vertical brushing on one axis: pointer drag sets [from, to] (fractions, 0 at the bottom); a click clears. */
function attachBrush(hit: SVGElement, g: SVGElement, x: number, top: number, bottom: number, done: (range: [number, number] | null) => void): void {
  let start: number | null = null;
  let preview: SVGElement | null = null;
  const localY = (e: PointerEvent) => {
    const box = (hit.ownerSVGElement as SVGSVGElement).getBoundingClientRect();
    const scale = box.height / Number((hit.ownerSVGElement as SVGSVGElement).getAttribute("height"));
    return Math.min(bottom, Math.max(top, (e.clientY - box.top) / scale));
  };
  hit.addEventListener("pointerdown", (e) => {
    start = localY(e);
    (hit as Element).setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  hit.addEventListener("pointermove", (e) => {
    if (start === null) return;
    const y = localY(e);
    if (!preview) g.appendChild((preview = s("rect", { class: "brush", x: x - 9, width: 18 })));
    preview.setAttribute("y", String(Math.min(start, y)));
    preview.setAttribute("height", String(Math.abs(y - start)));
  });
  hit.addEventListener("pointerup", (e) => {
    if (start === null) return;
    const y = localY(e);
    const from = start;
    start = null;
    if (Math.abs(y - from) < 3) return done(null);
    const fr = (py: number) => (bottom - py) / (bottom - top);
    done([Math.min(fr(from), fr(y)), Math.max(fr(from), fr(y))]);
  });
}

/** Importance as bars with the direction of each parameter's effect, or the reason there is none. */
function importanceChart(view: SweepView, width: number): HTMLElement {
  const imp = view.importance;
  if (!imp) return note("The sweep has no metric, so no parameter can be judged.");
  if (imp.unavailable !== undefined) return note(`No importance yet: ${imp.unavailable}.`);
  const rowHeight = 28;
  const labelWidth = 190;
  const effectWidth = 230;
  const barWidth = Math.max(120, Math.min(460, width - labelWidth - effectWidth - 70));
  const svg = svgChart(labelWidth + barWidth + effectWidth + 60, imp.entries.length * rowHeight + 10, "hyperparameter importance");
  imp.entries.forEach((p, i) => {
    const y = 4 + i * rowHeight;
    const effect =
      p.effect !== null
        ? `${p.effect > 0.15 ? "↑ larger did better" : p.effect < -0.15 ? "↓ smaller did better" : "· no clear direction"} (ρ ${p.effect >= 0 ? "+" : ""}${p.effect.toFixed(2)})`
        : p.bestCategory !== null
          ? `best: ${p.bestCategory}`
          : "";
    const cls = p.effect === null ? "bar" : p.effect > 0.15 ? "bar up" : p.effect < -0.15 ? "bar down" : "bar";
    const g = s("g", { "data-tip": `${p.name}: ${(p.importance * 100).toFixed(1)}%${effect ? `\n${effect}` : ""}` });
    g.append(
      svgText(labelWidth - 8, y + 17, midTruncate(p.name, labelWidth - 12), { class: "tick label", "text-anchor": "end" }, p.name),
      s("rect", { class: cls + (imp.preliminary ? " preliminary" : ""), x: labelWidth, y: y + 4, width: Math.max(1, p.importance * barWidth), height: rowHeight - 10, rx: 2 }),
      svgText(labelWidth + p.importance * barWidth + 6, y + 17, `${(p.importance * 100).toFixed(0)}%`, { class: "tick" }),
      svgText(labelWidth + barWidth + 48, y + 17, midTruncate(effect, effectWidth), { class: "tick effect" }, effect),
    );
    svg.appendChild(g);
  });
  return h("div", { class: "scroll" }, imp.preliminary ? h("p", { class: "warn" }, "Preliminary") : null, svg, note(imp.note));
}

/** One small scatter per parameter: objective against the parameter, coloured by trial number. */
function sliceCharts(view: SweepView, width: number): HTMLElement {
  const valued = view.trials.filter((t) => t.value !== null);
  if (!view.metric || valued.length === 0 || view.axes.length === 0) return note("Nothing to plot yet: no trial has a value, or no parameter varied.");
  const cols = Math.max(1, Math.floor(width / 330));
  const w = Math.floor(width / cols) - 8;
  const last = Math.max(1, ...view.trials.map((t) => t.number));
  const values = valued.map((t) => t.value!);
  const legend = svgChart(260, 40, "slice colour legend");
  legend.appendChild(colorBar(4, 2, 220, "colour: trial number (hollow = pruned)", "0", String(last), "slice-ramp"));
  const figures = view.axes.map((axis) => {
    const f = frame(w, 250, { left: 56, bottom: 40 });
    const x = axisScale(axis, f.left + 10, f.right - 10);
    const y = linearScale(Math.min(...values), Math.max(...values), f.bottom - 6, f.top + 6, 4);
    const svg = svgChart(w, 250, `${view.metric!.name} against ${axis.name}`);
    drawAxes(svg, f, x, y, axis.name + (axis.kind === "numeric" && axis.log ? " (log)" : ""), view.metric!.name);
    const bandWidth = axis.kind === "categorical" ? (f.right - f.left - 20) / axis.categories.length : 0;
    for (const t of valued) {
      let cx = x.place(t.params[axis.name]);
      if (cx === null) continue;
      if (bandWidth > 0) cx += (((t.number * 0.618034) % 1) - 0.5) * bandWidth * 0.5;
      const color = rampColor(t.number / last);
      svg.appendChild(
        s("circle", {
          class: t.status === "completed" ? "pt ramp" : "pt hollow",
          cx, cy: y.place(t.value), r: 4,
          style: t.status === "completed" ? `fill:${color};stroke:#fff` : `fill:#fff;stroke:${color}`,
          "data-tip": tipOf(view, t),
        }),
      );
    }
    return h("figure", { class: "slice" }, svg);
  });
  return h("div", {}, legend, h("div", { class: "slices" }, ...figures));
}

/**
 * Contour of the objective over two parameters: inverse-distance weighting of the completed trials on the
 * two axes (in axis units, so log parameters are spread as they were searched), with the trials on top.
 */
function contourChart(view: SweepView, state: PageState, width: number): HTMLElement {
  if (view.axes.length < 2) return note("A contour needs two parameters that varied.");
  const completed = view.trials.filter((t) => t.status === "completed" && t.value !== null);
  if (!view.metric || completed.length < 3) return note(`A contour needs at least 3 completed trials, has ${completed.length}.`);
  const ranked = view.importance && view.importance.unavailable === undefined ? view.importance.entries.map((e) => e.name) : [];
  const names = view.axes.map((a) => a.name);
  const byImportance = [...ranked.filter((n) => names.includes(n)), ...names.filter((n) => !ranked.includes(n))];
  const xName = state.contour.x && names.includes(state.contour.x) ? state.contour.x : byImportance[0]!;
  const yName = state.contour.y && names.includes(state.contour.y) && state.contour.y !== xName ? state.contour.y : byImportance.find((n) => n !== xName)!;
  const xAxis = view.axes.find((a) => a.name === xName)!;
  const yAxis = view.axes.find((a) => a.name === yName)!;
  const yLabelWidth = yAxis.kind === "categorical" ? Math.min(170, Math.max(...yAxis.categories.map((c) => textWidth(c))) + 8) : 44;
  const size = Math.min(width, 640 + yLabelWidth);
  const f = frame(size, Math.round((size - yLabelWidth) * 0.72), { left: yLabelWidth + 34, bottom: 46, right: 20 });
  const x = axisScale(xAxis, f.left, f.right);
  const y = axisScale(yAxis, f.bottom, f.top);
  const good = goodness(view);
  const pts = completed
    .map((t) => ({ t, fx: axisFraction(xAxis, t.params[xName]), fy: axisFraction(yAxis, t.params[yName]) }))
    .filter((p): p is { t: TrialView; fx: number; fy: number } => p.fx !== null && p.fy !== null);
  const svg = svgChart(size, f.height, `contour of ${view.metric.name} over ${xName} and ${yName}`);
  const n = 28;
  const cw = (f.right - f.left) / n;
  const ch = (f.bottom - f.top) / n;
  const cells = s("g", { class: "contour-cells" });
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const fx = (i + 0.5) / n;
      const fy = (j + 0.5) / n;
      let num = 0;
      let den = 0;
      for (const p of pts) {
        const w = 1 / ((p.fx - fx) ** 2 + (p.fy - fy) ** 2 + 1e-4);
        num += w * p.t.value!;
        den += w;
      }
      if (den === 0) continue;
      cells.appendChild(s("rect", { x: f.left + i * cw, y: f.bottom - (j + 1) * ch, width: cw + 0.5, height: ch + 0.5, fill: rampColor(good(num / den)) }));
    }
  }
  svg.appendChild(cells);
  drawAxes(svg, f, x, y, xName, yName);
  for (const p of pts) {
    svg.appendChild(s("circle", { class: "pt contour-pt", cx: f.left + p.fx * (f.right - f.left), cy: f.bottom - p.fy * (f.bottom - f.top), r: 4, "data-tip": tipOf(view, p.t) }));
  }
  const select = (id: string, current: string, set: (v: string) => void) => {
    const el = h("select", { id });
    for (const name of names) el.appendChild(h("option", { value: name, selected: name === current }, name));
    el.addEventListener("change", () => {
      set(el.value);
      render();
    });
    return el;
  };
  const controls = h(
    "div",
    { class: "controls" },
    h("label", {}, "x ", select("contour-x", xName, (v) => (state.contour.x = v))),
    h("label", {}, " y ", select("contour-y", yName, (v) => (state.contour.y = v))),
  );
  const [lo, hi] = [Math.min(...completed.map((t) => t.value!)), Math.max(...completed.map((t) => t.value!))];
  const legend = svgChart(260, 40, "contour colour legend");
  legend.appendChild(colorBar(4, 2, 220, view.metric.name, `worse ${fmt(view.metric.goal === "maximize" ? lo : hi)}`, `${fmt(view.metric.goal === "maximize" ? hi : lo)} better`, "contour-ramp"));
  return h("div", {}, controls, legend, svg, note(`Interpolated between ${pts.length} completed trials (inverse-distance weighting): a guide to where good values lie, not a model.`));
}

/** Trials over time, one row per GPU slot (trials on the same GPU at once get rows of their own). */
function timelineChart(view: SweepView, width: number): HTMLElement {
  const started = view.trials.filter((t) => t.startedAt);
  if (started.length === 0) return note("No trial has started yet.");
  const readAt = Date.parse(view.readAt);
  const spans = started.map((t) => ({ t, from: Date.parse(t.startedAt!), to: t.finishedAt ? Date.parse(t.finishedAt) : t.status === "running" ? readAt : Date.parse(t.heartbeatAt ?? t.startedAt!) }));
  const origin = Math.min(...spans.map((x) => x.from));
  const end = Math.max(...spans.map((x) => x.to), origin + 1000);
  const groups = new Map<string, { lanes: number[]; items: { span: (typeof spans)[number]; lane: number }[] }>();
  for (const span of [...spans].sort((a, b) => a.from - b.from)) {
    const key = span.t.gpus === null ? "?" : span.t.gpus === "" ? "CPU" : `GPU ${span.t.gpus}`;
    const g = groups.get(key) ?? { lanes: [], items: [] };
    groups.set(key, g);
    let lane = g.lanes.findIndex((free) => free <= span.from);
    if (lane < 0) lane = g.lanes.push(0) - 1;
    g.lanes[lane] = span.to;
    g.items.push({ span, lane });
  }
  const keys = [...groups.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  const laneHeight = 22;
  const rows = keys.reduce((n, k) => n + groups.get(k)!.lanes.length, 0);
  const f = frame(width, rows * laneHeight + 70, { left: 90, top: 26 });
  const x = linearScale(0, (end - origin) / 1000, f.left, f.right, 8);
  const svg = svgChart(width, f.height, "timeline of trials per GPU");
  for (const t of x.ticks) {
    svg.appendChild(s("line", { class: "grid", x1: t.at, x2: t.at, y1: f.top, y2: f.bottom }));
    svg.appendChild(svgText(t.at, f.bottom + 16, fmtDuration(Number(t.value)), { class: "tick", "text-anchor": "middle" }));
  }
  svg.appendChild(svgText((f.left + f.right) / 2, f.height - 6, "time since the first trial started", { class: "axis-title", "text-anchor": "middle" }));
  let row = 0;
  for (const key of keys) {
    const g = groups.get(key)!;
    const y0 = f.top + row * laneHeight;
    svg.appendChild(svgText(f.left - 8, y0 + (g.lanes.length * laneHeight) / 2 + 4, key, { class: "tick label", "text-anchor": "end" }));
    svg.appendChild(s("line", { class: "axis", x1: f.left, x2: f.right, y1: y0, y2: y0 }));
    for (const { span, lane } of g.items) {
      const x0 = x.place((span.from - origin) / 1000)!;
      const x1 = x.place((span.to - origin) / 1000)!;
      svg.appendChild(
        s("rect", {
          class: `span ${span.t.status}`, x: x0, y: y0 + lane * laneHeight + 3, width: Math.max(2, x1 - x0), height: laneHeight - 6, rx: 3,
          fill: STATUS_COLOR[span.t.status], "data-tip": `${tipOf(view, span.t)}\n${fmtDuration((span.to - span.from) / 1000)}`,
        }),
      );
      if (x1 - x0 > 24) svg.appendChild(svgText(x0 + 4, y0 + lane * laneHeight + 15, `#${span.t.number}`, { class: "span-label" }));
    }
    row += g.lanes.length;
  }
  const legend = s("g", { class: "legend", transform: `translate(${f.left},6)` });
  let lx = 0;
  for (const status of ["completed", "pruned", "failed", "running", "interrupted"] as TrialStatus[]) {
    if (!started.some((t) => t.status === status)) continue;
    legend.append(s("rect", { x: lx, y: 2, width: 12, height: 10, rx: 2, fill: STATUS_COLOR[status] }), svgText(lx + 16, 11, status));
    lx += 30 + textWidth(status);
  }
  svg.appendChild(legend);
  return h("div", { class: "scroll" }, svg);
}

/** The model a trial trained (the sweep's model parameter), or one group for all. */
function modelOf(view: SweepView, t: TrialView): string {
  return view.modelKey ? fmtValue(t.params[view.modelKey]) || "(none)" : "all trials";
}

function modelNames(view: SweepView): string[] {
  const seen: string[] = [];
  for (const t of view.trials) {
    const m = modelOf(view, t);
    if (!seen.includes(m)) seen.push(m);
  }
  return seen;
}

function modelColor(view: SweepView, model: string): string {
  const i = modelNames(view).indexOf(model);
  return PALETTE[(i < 0 ? 0 : i) % PALETTE.length]!;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return sorted[i]! + (sorted[Math.min(sorted.length - 1, i + 1)]! - sorted[i]!) * (pos - i);
}

/** Best so far per model (a table) and the spread of each model's values (a strip plot with quartile boxes). */
function modelsView(view: SweepView, width: number): HTMLElement {
  const models = modelNames(view);
  const valueName = view.metric?.name ?? "value";
  const otherParams = view.axes.map((a) => a.name).filter((n) => n !== view.modelKey);
  const head = h("tr", {}, ...["model", "trials", "completed", "pruned", "failed", "running", `best ${valueName}`, "trial", "median", ...otherParams].map((c) => h("th", {}, c)));
  const body = h("tbody");
  const shortNames = distinctLabels(models, 320, 13);
  const rows = models.map((m, index) => {
    const trials = view.trials.filter((t) => modelOf(view, t) === m);
    const best = bestTrial(view, trials);
    const done = trials.filter((t) => t.status === "completed" && t.value !== null).map((t) => t.value!).sort((a, b) => a - b);
    return { m, short: shortNames[index]!, trials, best, done };
  });
  rows.sort((a, b) => (a.best && b.best ? (isBetter(view, a.best.value!, b.best.value!) ? -1 : 1) : a.best ? -1 : b.best ? 1 : 0));
  for (const r of rows) {
    const count = (st: TrialStatus) => String(r.trials.filter((t) => t.status === st).length);
    const shown = r.short;
    body.appendChild(
      h("tr", {},
        h("td", { title: r.m, class: "model" }, h("span", { class: "swatch", style: `background:${modelColor(view, r.m)}` }), shown),
        h("td", { class: "num" }, String(r.trials.length)), h("td", { class: "num" }, count("completed")), h("td", { class: "num" }, count("pruned")),
        h("td", { class: "num" }, count("failed")), h("td", { class: "num" }, count("running")),
        h("td", { class: "num best-value" }, r.best ? fmt(r.best.value) : "—"), h("td", { class: "num" }, r.best ? `#${r.best.number}` : ""),
        h("td", { class: "num" }, r.done.length ? fmt(quantile(r.done, 0.5)) : ""),
        ...otherParams.map((p) => h("td", { class: "num" }, r.best ? fmtValue(r.best.params[p]) : "")),
      ),
    );
  }
  const table = h("div", { class: "scroll" }, h("table", { id: "models-table" }, h("thead", {}, head), body));
  const valued = view.trials.filter((t) => t.value !== null);
  if (!view.metric || valued.length === 0) return h("div", {}, table);
  const labelWidth = Math.min(280, Math.max(120, ...models.map((m) => textWidth(m, 12) + 12)));
  const stripNames = distinctLabels(rows.map((r) => r.m), labelWidth - 10, 12);
  const rowH = 34;
  const f = frame(Math.min(width, 900), rows.length * rowH + 56, { left: labelWidth + 10, top: 8, bottom: 40 });
  const values = valued.map((t) => t.value!);
  const x = linearScale(Math.min(...values), Math.max(...values), f.left + 8, f.right - 8, 6);
  const svg = svgChart(f.width, f.height, "per-model comparison");
  for (const t of x.ticks) {
    svg.appendChild(s("line", { class: "grid", x1: t.at, x2: t.at, y1: f.top, y2: f.bottom }));
    svg.appendChild(svgText(t.at, f.bottom + 16, t.label, { class: "tick", "text-anchor": "middle" }));
  }
  svg.appendChild(svgText((f.left + f.right) / 2, f.height - 6, `${view.metric.name} (filled: completed, hollow: pruned, ringed: the model's best)`, { class: "axis-title", "text-anchor": "middle" }));
  rows.forEach((r, i) => {
    const cy = f.top + i * rowH + rowH / 2;
    const color = modelColor(view, r.m);
    svg.appendChild(svgText(f.left - 10, cy + 4, stripNames[i]!, { class: "tick label", "text-anchor": "end" }, r.m));
    if (r.done.length >= 2) {
      const q1 = x.place(quantile(r.done, 0.25))!;
      const q3 = x.place(quantile(r.done, 0.75))!;
      svg.appendChild(s("rect", { class: "box", x: Math.min(q1, q3), y: cy - 9, width: Math.max(1, Math.abs(q3 - q1)), height: 18, stroke: color }));
      const med = x.place(quantile(r.done, 0.5))!;
      svg.appendChild(s("line", { x1: med, x2: med, y1: cy - 9, y2: cy + 9, stroke: color, "stroke-width": 2 }));
    }
    for (const t of r.trials) {
      if (t.value === null) continue;
      const jitter = (((t.number * 0.618034) % 1) - 0.5) * 12;
      svg.appendChild(
        s("circle", {
          cx: x.place(t.value), cy: cy + jitter, r: t === r.best ? 6 : 3.5,
          fill: t.status === "completed" ? color : "#fff", stroke: t === r.best ? "#1d2230" : color, "stroke-width": t === r.best ? 2 : 1.2,
          "fill-opacity": 0.8, "data-tip": tipOf(view, t),
        }),
      );
    }
  });
  return h("div", {}, table, h("div", { class: "scroll" }, svg));
}
