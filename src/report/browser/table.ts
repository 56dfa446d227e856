/**
 * The trials table: every trial, sortable by any column (click a header; again to reverse), filtered by a
 * text box and by the parallel-coordinates brushes. Wide tables scroll sideways instead of being cut.
 */
interface Column {
  key: string;
  label: string;
  numeric: boolean;
  value(t: TrialView): string | number | null;
  text?(t: TrialView): string;
}

function trialColumns(view: SweepView): Column[] {
  const seconds = (t: TrialView) => (t.startedAt ? ((t.finishedAt ? Date.parse(t.finishedAt) : Date.parse(view.readAt)) - Date.parse(t.startedAt)) / 1000 : null);
  return [
    { key: "#", label: "#", numeric: true, value: (t) => t.number },
    { key: "status", label: "status", numeric: false, value: (t) => t.status },
    { key: "value", label: view.metric?.name ?? "value", numeric: true, value: (t) => t.value, text: (t) => fmt(t.value) },
    ...view.paramNames.map((p): Column => ({
      key: `param:${p}`, label: p, numeric: view.trials.every((t) => t.params[p] === undefined || typeof t.params[p] === "number"),
      value: (t) => (typeof t.params[p] === "number" ? (t.params[p] as number) : fmtValue(t.params[p])), text: (t) => fmtValue(t.params[p]),
    })),
    { key: "time", label: "time", numeric: true, value: seconds, text: (t) => fmtDuration(seconds(t)) },
    { key: "gpu", label: "GPU", numeric: false, value: (t) => (t.waitingFor ? "waiting" : t.gpus === null ? "" : t.gpus === "" ? "cpu" : t.gpus) },
    { key: "pruned", label: "pruned at", numeric: true, value: (t) => t.pruneStep },
    { key: "note", label: "note", numeric: false, value: (t) => t.pruneReason ?? t.error ?? "" },
  ];
}

function trialsTable(view: SweepView, state: PageState): HTMLElement {
  const columns = trialColumns(view);
  const sortBy = columns.find((c) => c.key === state.sort.key) ?? columns[0]!;
  const cellText = (c: Column, t: TrialView) => (c.text ? c.text(t) : fmtValue(c.value(t)));
  const needle = state.filter.trim().toLowerCase();
  const rows = view.trials.filter((t) => passesBrushes(view, state, t) && (!needle || columns.some((c) => cellText(c, t).toLowerCase().includes(needle))));
  const dir = state.sort.desc ? -1 : 1;
  rows.sort((a, b) => {
    const va = sortBy.value(a);
    const vb = sortBy.value(b);
    if (va === null || va === "") return vb === null || vb === "" ? a.number - b.number : 1; // empty cells last either way
    if (vb === null || vb === "") return -1;
    const c = typeof va === "number" && typeof vb === "number" ? va - vb : String(va).localeCompare(String(vb), undefined, { numeric: true });
    return c !== 0 ? c * dir : a.number - b.number;
  });
  const best = bestTrial(view);
  const head = h("tr", {});
  for (const c of columns) {
    const active = c === sortBy;
    const th = h("th", { "data-key": c.key, class: `sortable${c.numeric ? " num" : ""}`, title: `sort by ${c.label}`, "aria-sort": active ? (state.sort.desc ? "descending" : "ascending") : "none" },
      midTruncate(c.label, 200, 13, "600"), active ? (state.sort.desc ? " ▼" : " ▲") : "");
    th.addEventListener("click", () => {
      state.sort = { key: c.key, desc: active ? !state.sort.desc : false };
      renderTableOnly();
    });
    head.appendChild(th);
  }
  const body = h("tbody");
  for (const t of rows) {
    const tr = h("tr", { class: `${t === best ? "best-row " : ""}status-${t.status}`, "data-trial": t.number });
    for (const c of columns) {
      const full = cellText(c, t);
      const shown = midTruncate(full, 280, 13);
      const td = h("td", { class: c.numeric ? "num" : c.key === "status" ? `st ${t.status}` : null, title: shown !== full ? full : null }, shown);
      tr.appendChild(td);
    }
    body.appendChild(tr);
  }
  const input = h("input", { type: "search", id: "trial-filter", placeholder: "filter: any text in a row", value: state.filter }) as HTMLInputElement;
  input.addEventListener("input", () => {
    state.filter = input.value;
    renderTableOnly();
    const again = document.getElementById("trial-filter") as HTMLInputElement | null;
    if (again) {
      again.focus();
      again.setSelectionRange(again.value.length, again.value.length);
    }
  });
  const brushed = Object.keys(state.brushes).length > 0 ? " (inside the parallel-coordinates brushes)" : "";
  return h(
    "div",
    { id: "trials-block" },
    h("div", { class: "controls" }, input, h("span", { class: "note inline", id: "trial-count" }, ` ${rows.length} of ${view.trials.length} trials${brushed}`)),
    h("div", { class: "scroll table-wrap" }, h("table", { id: "trials-table" }, h("thead", {}, head), body)),
  );
}
