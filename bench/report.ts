/** Markdown tables of the benchmark results, for bench/results/*.md and the summary in bench/README.md. */
import type { EfficiencyResult } from "./efficiency.js";
import type { OverheadResult } from "./overhead.js";
import { fmt } from "./stats.js";

export function overheadMarkdown(r: OverheadResult, optunaNote: string): string {
  const lines = [
    `| loop (${r.ours.memory.trials} trials, trivial objective, 4 params) | sweep TPE | Optuna TPE | Optuna / sweep |`,
    "| --- | --- | --- | --- |",
  ];
  const row = (label: string, ours: number, theirs: number | undefined, unit: string) =>
    lines.push(`| ${label} | ${fmt(ours)} ${unit} | ${theirs === undefined ? "—" : `${fmt(theirs)} ${unit}`} | ${theirs === undefined ? "—" : `${fmt(theirs / ours)}×`} |`);
  row("in memory, total", r.ours.memory.totalS, r.optuna?.memory.totalS, "s");
  row("SQLite, total", r.ours.sqlite.totalS, r.optuna?.sqlite.totalS, "s");
  row("in memory, ask() near the end (median of last 50)", r.ours.memory.lastAskMs, r.optuna?.memory.lastAskMs, "ms");
  row("SQLite, ask() near the end (median of last 50)", r.ours.sqlite.lastAskMs, r.optuna?.sqlite.lastAskMs, "ms");
  lines.push("");
  lines.push("| sweep-only figure | value |");
  lines.push("| --- | --- |");
  for (const [n, ms] of Object.entries(r.suggestMs)) lines.push(`| TPESampler.suggest() with ${n} completed trials (median) | ${fmt(ms)} ms |`);
  lines.push(`| SQLite: reading a ${r.ours.sqlite.trials}-trial history (listTrials + listIntermediates, median) | ${fmt(r.sqliteHistoryReadMs)} ms |`);
  if (r.ours.memoryLarge) lines.push(`| ${r.ours.memoryLarge.trials}-trial loop in memory, total | ${fmt(r.ours.memoryLarge.totalS)} s (last asks ${fmt(r.ours.memoryLarge.lastAskMs)} ms) |`);
  if (r.ours.sqliteLarge) lines.push(`| ${r.ours.sqliteLarge.trials}-trial loop on SQLite, total | ${fmt(r.ours.sqliteLarge.totalS)} s (last asks ${fmt(r.ours.sqliteLarge.lastAskMs)} ms) |`);
  if (optunaNote) lines.push("", optunaNote);
  return lines.join("\n") + "\n";
}

export function efficiencyMarkdown(r: EfficiencyResult): string {
  const out: string[] = [];
  const header = `| method | ${r.checkpoints.map((t) => `regret @${t}: median [IQR]`).join(" | ")} |`;
  const rule = `| --- | ${r.checkpoints.map(() => "---").join(" | ")} |`;
  for (const p of r.problems) {
    out.push(`**${p.name}** (${p.dims} parameters, ${p.goal}, optimum ${fmt(p.optimum)})`, "", header, rule);
    const bestAt = new Map(r.checkpoints.map((t) => [t, Math.min(...p.methods.map((m) => m.at[t]!.median))]));
    for (const m of p.methods) {
      const cells = r.checkpoints.map((t) => {
        const s = m.at[t]!;
        const cell = `${fmt(s.median)} [${fmt(s.q1)}, ${fmt(s.q3)}]`;
        return s.median === bestAt.get(t) ? `**${cell}**` : cell;
      });
      out.push(`| ${m.label} | ${cells.join(" | ")} |`);
    }
    out.push("");
  }
  out.push(winsLine(r));
  return out.join("\n") + "\n";
}

/** How often our default TPE has a lower median regret than each Optuna setting, and than random. */
export function winsLine(r: EfficiencyResult): string {
  const ours = "sweep TPE (default)";
  const rivals = [...new Set(r.problems.flatMap((p) => p.methods.map((m) => m.label)))].filter((l) => l !== ours);
  const parts: string[] = [];
  for (const rival of rivals) {
    for (const t of r.checkpoints.filter((c) => c >= 50)) {
      let wins = 0;
      let total = 0;
      for (const p of r.problems) {
        const a = p.methods.find((m) => m.label === ours)?.at[t];
        const b = p.methods.find((m) => m.label === rival)?.at[t];
        if (!a || !b) continue;
        total++;
        if (a.median < b.median) wins++;
      }
      if (total > 0) parts.push(`vs ${rival} @${t}: ${wins}/${total}`);
    }
  }
  return `Problems where ${ours} has the lower median regret — ${parts.join("; ")}.`;
}
