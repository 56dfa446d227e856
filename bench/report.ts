/** Markdown tables of the benchmark results, for bench/results/*.md and the summary in bench/README.md. */
import type { EfficiencyResult } from "./efficiency.js";
import type { LoopTiming, OverheadResult } from "./overhead.js";
import { fmt } from "./stats.js";

const BACKEND_NAMES = { memory: "in memory", sqlite: "SQLite", postgres: "PostgreSQL" } as const;

export function overheadMarkdown(r: OverheadResult, optunaNote: string): string {
  const lines = [
    "| ask/tell loop (trivial objective, 4 params) | sweep TPE: total (last asks) | Optuna TPE: total (last asks) | Optuna / sweep, per trial |",
    "| --- | --- | --- | --- |",
  ];
  const timing = (t: LoopTiming) =>
    `${t.cappedAtS !== undefined ? `stopped at ${t.trials.toLocaleString("en-US")} trials after ` : ""}${fmt(t.totalS)} s (${fmt(t.lastAskMs)} ms)`;
  for (const row of r.rows) {
    const ratio = row.optuna === null ? "—" : `${fmt(row.optuna.totalS / row.optuna.trials / (row.ours.totalS / row.ours.trials))}×`;
    lines.push(`| ${row.trials.toLocaleString("en-US")} trials, ${BACKEND_NAMES[row.backend]} | ${timing(row.ours)} | ${row.optuna === null ? "—" : timing(row.optuna)} | ${ratio} |`);
  }
  lines.push("");
  lines.push("| sweep-only figure | value |");
  lines.push("| --- | --- |");
  for (const [n, ms] of Object.entries(r.suggestMs)) lines.push(`| TPESampler.suggest() with ${n} completed trials (median) | ${fmt(ms)} ms |`);
  lines.push(`| SQLite: reading a ${r.rows[0]?.trials ?? 1000}-trial history (listTrials + listIntermediates, median) | ${fmt(r.sqliteHistoryReadMs)} ms |`);
  const notes = [...r.notes, ...(optunaNote ? [optunaNote] : [])];
  if (notes.length > 0) lines.push("", ...notes.map((n) => `- ${n}.`));
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
