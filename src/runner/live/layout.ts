/**
 * The live block as lines of text: a pure function of the state, the terminal's size and the time, so its
 * layout is tested without a terminal. Every width is in terminal cells (text-width.ts): Korean model names
 * and emoji take two cells each and columns still line up.
 *
 *   sweep ab12cd34 (한국어 스윕) — storage storage/sweeps.db — log storage/logs/controller-ab12cd34.log
 *   [###########---------------------]  3 of 8 done  elapsed 1m12s  ETA 2m10s
 *   completed 2  pruned 1  failed 0  running 4
 *   best: trial 1 score=4  lr=0.000123456789 model=한국어-모델-베이스
 *   GPU     TRIAL  STEP   score  ELAPSED  PARAMS
 *   GPU 0   #4        2       3       5s  lr=1.235e-4 model=한국어-모델-베이스
 *           #6        1       2       2s  lr=0.01 model=klue/roberta-large
 *   GPU 1   #5        2       3       5s  lr=0.001 model=klue/roberta-large
 *           idle
 */
import { bestHead, formatBest, formatDuration, formatValue, oneLine, paramWords } from "./format.js";
import { progressFigures, type LiveState, type ProgressFigures, type RunningTrial } from "./state.js";
import { displayWidth, fitWidth, padEnd, padStart, wrapWords } from "./text-width.js";
import type { TrialCounts } from "../progress.js";
import type { Slot } from "../slots.js";

export interface Viewport {
  /** Terminal columns. Lines are kept one cell narrower: a line filling the last column makes some terminals wrap. */
  readonly columns: number;
  /** Terminal rows; the block never takes more than rows - 1, so its top stays on screen. */
  readonly rows: number;
  readonly now: number;
}

/** Narrower than this, the block is laid out for this width anyway (the terminal wraps it). */
const MIN_WIDTH = 30;
const BAR_MIN = 10;
const BAR_MAX = 40;
/** In a table row too short for them, string parameter values (model, dataset names) are cut in their middle down to this. */
const MIN_VALUE_CELLS = 8;

/** "[#####-----]" of `width` cells (brackets included); ASCII, so no terminal draws it wider than counted. */
export function progressBar(done: number, total: number, width: number): string {
  const inner = Math.max(1, width - 2);
  const filled = total <= 0 ? inner : Math.min(inner, Math.floor((Math.min(done, total) / total) * inner));
  return `[${"#".repeat(filled)}${"-".repeat(inner - filled)}]`;
}

/** "1m12s", or "—" when there is nothing to go on. */
export function formatEta(etaMs: number | null): string {
  return etaMs === null ? "—" : formatDuration(etaMs);
}

/** "3 of 8 done" (or "3 done, no end" for a sweep without run_cap), elapsed and ETA. */
export function progressText(f: ProgressFigures): string {
  const of = f.total === null ? `${f.done} done, no run_cap` : `${f.done} of ${f.total} done`;
  return `${of}  elapsed ${formatDuration(f.elapsedMs)}  ETA ${formatEta(f.etaMs)}`;
}

/** The progress line: a bar (when the sweep has an end) and the figures. */
export function progressLine(f: ProgressFigures, width: number): string {
  const text = progressText(f);
  if (f.total === null) return fitWidth(text, width);
  const barWidth = Math.max(BAR_MIN, Math.min(BAR_MAX, width - displayWidth(text) - 2));
  return fitWidth(`${progressBar(f.done, f.total, barWidth)}  ${text}`, width);
}

/** "completed 2  pruned 1  failed 0  running 4", queued and interrupted when there are any. */
export function countsLine(c: TrialCounts): string {
  const parts = [`completed ${c.completed}`, `pruned ${c.pruned}`, `failed ${c.failed}`, `running ${c.running}`];
  if (c.queued) parts.push(`queued ${c.queued}`);
  if (c.interrupted) parts.push(`interrupted ${c.interrupted}`);
  return parts.join("  ");
}

export interface SlotGroup {
  /** "GPU 0", "GPU 2+3", "CPU 1". */
  readonly label: string;
  /** One entry per slot of the group, in slot order (null trial: idle), then trials followed on these GPUs. */
  readonly rows: readonly { readonly slot: Slot | null; readonly trial: RunningTrial | null }[];
}

/**
 * Slots grouped by the GPUs they use, groups in GPU order: with `trials_per_gpu: 2` both slots of GPU 0 sit
 * together, whatever the round-robin order of slot numbers. Trials followed after their controller died
 * join the group of their GPUs (or one of their own).
 */
export function groupSlots(slots: readonly Slot[], running: Iterable<RunningTrial>): SlotGroup[] {
  const bySlot = new Map<number, RunningTrial>();
  const followed: RunningTrial[] = [];
  for (const r of running) {
    if (r.followed || r.slot.index < 0 || !slots.some((s) => s.index === r.slot.index)) followed.push(r);
    else bySlot.set(r.slot.index, r);
  }
  const groups = new Map<string, { slot: Slot | null; trial: RunningTrial | null }[]>();
  const keyOf = (s: Slot) => (s.gpus.length > 0 ? `GPU ${s.gpus.join("+")}` : s.label);
  const ordered = [...slots].sort((a, b) => gpuOrder(a) - gpuOrder(b) || a.index - b.index);
  for (const slot of ordered) {
    const key = keyOf(slot);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push({ slot, trial: bySlot.get(slot.index) ?? null });
  }
  for (const r of followed.sort((a, b) => a.trial.number - b.trial.number)) {
    const key = keyOf(r.slot);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push({ slot: null, trial: r });
  }
  return [...groups.entries()].map(([label, rows]) => ({ label, rows }));
}

function gpuOrder(s: Slot): number {
  const first = s.gpus[0];
  return first === undefined ? Number.MAX_SAFE_INTEGER : Number(first);
}

/**
 * A running trial's parameters in `room` cells: all of them when they fit; else the widest string values
 * (model and dataset names) cut in their middle, the widest first and only as much as needed, so both ends of
 * each name stay readable and the numbers after them stay in view; else cut at the end.
 */
export function fitParams(params: Readonly<Record<string, unknown>>, room: number): string {
  if (room <= 0) return "";
  const words = paramWords(params).map((w) => {
    const eq = w.indexOf("=");
    return { key: w.slice(0, eq + 1), full: w.slice(eq + 1), value: w.slice(eq + 1) };
  });
  const text = () => words.map((w) => w.key + w.value).join(" ");
  const strings = Object.values(params).map((v) => typeof v === "string");
  for (;;) {
    const excess = displayWidth(text()) - room;
    if (excess <= 0) return text();
    let widest = -1;
    for (const [i, w] of words.entries()) {
      if (strings[i] && displayWidth(w.value) > MIN_VALUE_CELLS && (widest < 0 || displayWidth(w.value) > displayWidth(words[widest]!.value))) widest = i;
    }
    if (widest < 0) return fitWidth(text(), room);
    const w = words[widest]!;
    w.value = fitWidth(w.full, Math.max(MIN_VALUE_CELLS, displayWidth(w.value) - excess), "middle");
  }
}

/** The live block, one string per terminal line, none wider than `columns - 1` cells. */
export function renderLiveBlock(state: LiveState, view: Viewport): string[] {
  const width = Math.max(MIN_WIDTH, view.columns - 1);
  const top: string[] = [];
  const name = state.name ? ` (${oneLine(state.name)})` : "";
  top.push(fitWidth(`sweep ${state.sweepId ?? "?"}${name} — storage ${oneLine(state.storage)}${state.logFile ? ` — log ${oneLine(state.logFile)}` : ""}`, width));
  const figures = progressFigures(state, view.now);
  top.push(progressLine(figures, width));
  const tally = state.tally;
  if (tally) {
    top.push(fitWidth(countsLine(tally.counts), width));
    // The best trial's parameters in full, wrapped rather than cut: they are what the user came for.
    const params = tally.best ? paramWords(tally.best.params, { exact: true }) : [];
    top.push(...wrapWords(params, width, "    ", `${bestHead(tally)}  `).map((l) => l.trimEnd()));
  }

  const metricName = oneLine(tally?.metricName ?? "metric");
  const groups = groupSlots(state.slots, state.running.values());
  const labelWidth = Math.max(5, ...groups.map((g) => displayWidth(g.label)));
  const metricWidth = Math.max(7, Math.min(12, displayWidth(metricName)));
  const slotHeader = state.slots.some((s) => s.gpus.length > 0) ? "GPU" : "SLOT";
  const head = `${padEnd(slotHeader, labelWidth)}  ${padEnd("TRIAL", 6)} ${padStart("STEP", 6)} ${padStart(fitWidth(metricName, metricWidth), metricWidth)} ${padStart("ELAPSED", 7)}  `;
  const table: string[] = [fitWidth(`${head}PARAMS`, width)];
  for (const group of groups) {
    for (const [i, { slot, trial }] of group.rows.entries()) {
      const label = padEnd(i === 0 ? group.label : "", labelWidth);
      if (!trial) {
        table.push(fitWidth(`${label}  idle`, width));
        continue;
      }
      const fixed =
        `${label}  ${padEnd(`#${trial.trial.number}`, 6)} ${padStart(trial.step === null ? "-" : String(trial.step), 6)} ` +
        `${padStart(formatValue(trial.metric), metricWidth)} ${padStart(formatDuration(view.now - trial.startedAt), 7)}  `;
      // A trial placed on other GPUs than its row's slot (per-model resource rules) says where it runs.
      const elsewhere = slot !== null && trial.slot.gpus.join("+") !== slot.gpus.join("+") && trial.slot.gpus.length > 0;
      const note = trial.followed ? "(followed) " : elsewhere ? `(${trial.slot.label}) ` : "";
      table.push(fitWidth(fixed + note + fitParams(trial.trial.params, width - displayWidth(fixed) - displayWidth(note)), width));
    }
  }

  // Too tall for the terminal: the summary stays, table rows go from the bottom, with a line saying so.
  const room = Math.max(1, view.rows - 1) - top.length;
  if (table.length > room) {
    const keep = Math.max(0, room - 1);
    const hidden = table.length - keep;
    return [...top, ...table.slice(0, keep), fitWidth(`… ${hidden} more row(s); a taller terminal shows them`, width)].slice(0, Math.max(1, view.rows - 1));
  }
  return [...top, ...table];
}

/** The periodic summary of the line mode: counts, progress, best with its parameters in full. */
export function summaryText(state: LiveState, now: number): string {
  const f = progressFigures(state, now);
  const c = state.tally?.counts;
  const counts = c ? `completed ${c.completed}, pruned ${c.pruned}, failed ${c.failed}, running ${c.running}${c.queued ? `, queued ${c.queued}` : ""}` : "";
  const best = state.tally ? formatBest(state.tally) : "best: -";
  const of = f.total === null ? `${f.done} done (no run_cap)` : `${f.done} of ${f.total} done`;
  return `progress: ${of}; ${counts}; elapsed ${formatDuration(f.elapsedMs)}, ETA ${formatEta(f.etaMs)}; ${best}`;
}
