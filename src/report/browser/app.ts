/**
 * The page: reads the sweep view embedded in it, draws every section, and, on the dashboard, follows the
 * server's event stream and redraws when trials report (brushes, sorting and choices survive a redraw).
 */
interface PageState {
  view: SweepView;
  brushes: Record<string, [number, number]>;
  sort: { key: string; desc: boolean };
  filter: string;
  historyLog: boolean;
  curveMetric: string | null;
  contour: { x: string | null; y: string | null };
  live: "off" | "connecting" | "live" | "lost";
  updates: number;
}

let page: PageState;

const SECTIONS: { id: string; title: string; draw(view: SweepView, state: PageState, width: number): HTMLElement | null }[] = [
  { id: "slots", title: "GPU slots", draw: (v) => slotsView(v) },
  { id: "models", title: "Best per model", draw: (v, _s, w) => modelsView(v, w) },
  { id: "history", title: "Optimization history", draw: historyChart },
  { id: "importance", title: "Hyperparameter importance", draw: (v, _s, w) => importanceChart(v, w) },
  { id: "parallel", title: "Parallel coordinates", draw: parallelChart },
  { id: "slices", title: "Slice plots", draw: (v, _s, w) => sliceCharts(v, w) },
  { id: "contour", title: "Contour", draw: contourChart },
  { id: "curves", title: "Learning curves", draw: curvesChart },
  { id: "timeline", title: "Timeline", draw: (v, _s, w) => timelineChart(v, w) },
  { id: "trials", title: "Trials", draw: trialsTable },
];

function headerView(state: PageState): HTMLElement {
  const v = state.view;
  const title = v.sweep.name ?? `sweep ${v.sweep.id}`;
  const best = bestTrial(v);
  const facts = [
    `sweep ${v.sweep.id}`, `method ${v.sweep.method}`,
    v.metric ? `metric ${v.metric.name} (${v.metric.goal})` : "no metric",
    `status ${v.sweep.status}${v.sweep.stale ? " (stale: no live controller)" : ""}`,
    best ? `best ${fmt(best.value)} (trial ${best.number})` : "no best yet",
    `read ${v.readAt.replace("T", " ").slice(0, 19)} UTC`,
  ];
  const counts = h("p", { class: "counts", id: "counts" });
  const total = v.trials.length;
  counts.appendChild(h("span", { class: "chip", "data-status": "total" }, `${total}${v.sweep.runCap ? ` / ${v.sweep.runCap}` : ""} trials`));
  for (const st of ["running", "completed", "pruned", "failed", "interrupted", "queued"] as TrialStatus[]) {
    if (!v.counts[st]) continue;
    counts.appendChild(h("span", { class: `chip ${st}`, "data-status": st }, `${v.counts[st]} ${st}`));
  }
  const live = state.live === "off" ? null : h("span", { class: `live ${state.live}`, id: "live" }, state.live === "live" ? `live · ${state.updates} update${state.updates === 1 ? "" : "s"}` : state.live === "lost" ? "connection lost, retrying…" : "connecting…");
  const nav = h("nav", {});
  if (document.body.dataset.home) nav.appendChild(h("a", { href: document.body.dataset.home }, "all sweeps"));
  for (const sec of SECTIONS) nav.appendChild(h("a", { href: `#${sec.id}` }, sec.title));
  return h("header", {}, h("h1", { title }, midTruncate(title, 900, 20, "600"), " ", live), h("p", { class: "facts" }, facts.join(" · ")), counts, nav);
}

function chartWidth(): number {
  const main = document.getElementById("app");
  return Math.max(480, Math.min(1400, (main?.clientWidth ?? 1000) - 48));
}

function render(): void {
  const app = document.getElementById("app")!;
  const y = window.scrollY;
  const width = chartWidth();
  const parts: Node[] = [headerView(page)];
  const main = h("main", {});
  for (const sec of SECTIONS) {
    const body = sec.draw(page.view, page, width);
    if (!body) continue;
    main.appendChild(h("section", { id: sec.id }, h("h2", {}, sec.title), body));
  }
  parts.push(main);
  app.replaceChildren(...parts);
  window.scrollTo(0, y);
}

function renderTableOnly(): void {
  const section = document.getElementById("trials");
  if (!section) return render();
  section.replaceChildren(h("h2", {}, "Trials"), trialsTable(page.view, page));
}

function follow(url: string): void {
  page.live = "connecting";
  const source = new EventSource(url);
  source.addEventListener("view", (e) => {
    page.view = JSON.parse((e as MessageEvent).data) as SweepView;
    page.live = "live";
    page.updates++;
    render();
  });
  source.addEventListener("open", () => {
    if (page.live !== "live") {
      page.live = "live";
      render();
    }
  });
  source.addEventListener("error", () => {
    if (page.live !== "lost") {
      page.live = "lost";
      render();
    }
  });
}

function boot(): void {
  const data = document.getElementById("sweep-view");
  if (!data) return;
  page = {
    view: JSON.parse(data.textContent ?? "{}") as SweepView,
    brushes: {}, sort: { key: "#", desc: false }, filter: "", historyLog: false, curveMetric: null, contour: { x: null, y: null },
    live: "off", updates: 0,
  };
  installTooltip();
  render();
  let resizeTimer = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(render, 150);
  });
  const events = document.body.dataset.events;
  if (events) follow(events);
}

boot();
