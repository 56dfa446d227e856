/**
 * `sweep ls`: the sweeps in a storage, newest first, with their status counts and best value.
 */
import type { CommandModule } from "yargs";
import { describeCounts, sweepSummaries, type SweepSummary } from "../../report/summary.js";
import { formatNumber, renderTable } from "../../report/table.js";
import { STALE_HEARTBEAT_MS } from "../../runner/controller.js";
import { sweepLiveness } from "../../runner/worker.js";
import { slurmSubmissions } from "../../runner/slurm/index.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs, type OutputFormat } from "../context.js";
import { choice } from "../flags.js";

interface LsArgs extends GlobalArgs {
  readonly format?: string;
}

export const lsCommand: CommandModule<GlobalArgs, LsArgs> = {
  command: "ls",
  describe: "List the sweeps in a storage",
  builder: (y) => y.option("format", { choices: ["table", "json"] as const, requiresArg: true, default: "table" }),
  handler: async (args) => {
    const format = choice(args.format, "--format", ["table", "json"] as const) ?? ("table" as OutputFormat);
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      // A sweep whose controller was killed stays `running` in the storage: say so, and how to go on.
      const isStale = async (sweep: { id: string }) => (await sweepLiveness(storage, sweep.id, STALE_HEARTBEAT_MS)) === "dead";
      const summaries: SweepSummary[] = [];
      // Slurm job ids of each sweep (docs/slurm.md); a column only when some sweep has them.
      const slurmJobs = new Map<string, string[]>();
      for (const summary of await sweepSummaries(storage, isStale)) {
        const jobs = (await slurmSubmissions(storage, summary.id)).map((j) => j.jobId);
        if (jobs.length > 0) slurmJobs.set(summary.id, jobs);
        summaries.push({ ...summary, ...(jobs.length > 0 ? { slurmJobs: jobs } : {}) });
      }
      if (format === "json") return printJson(summaries);
      if (summaries.length === 0) {
        process.stdout.write(`no sweeps in ${storage.location}\n`);
        return;
      }
      process.stdout.write(
        renderTable(summaries, [
          { header: "ID", value: (s) => s.id },
          { header: "NAME", value: (s) => s.name ?? "", maxWidth: 40 },
          { header: "METHOD", value: (s) => s.method },
          { header: "STATUS", value: (s) => (s.stale ? `${s.status} (stale: no live controller; sweep resume ${s.id})` : s.status) },
          { header: "TRIALS", value: (s) => s.trials },
          { header: "METRIC", value: (s) => (s.metric ? `${s.metric.name} (${s.metric.goal === "maximize" ? "max" : "min"})` : "") },
          { header: "BEST", value: (s) => (s.best ? formatNumber(s.best.value) : ""), align: "right" },
          { header: "COUNTS", value: (s) => describeCounts(s.counts) },
          ...(slurmJobs.size > 0 ? [{ header: "SLURM JOBS", value: (s: SweepSummary) => (slurmJobs.get(s.id) ?? []).join(",") }] : []),
          { header: "CREATED", value: (s) => s.createdAt.replace("T", " ").slice(0, 19) },
        ]) + "\n",
      );
    } finally {
      await storage.close();
    }
  },
};
