/**
 * `sweep show <id>`: one sweep's trials with status, value, params, duration, GPU, prune step and log path.
 */
import type { CommandModule } from "yargs";
import { storedConfig, describeCounts, durationSeconds, formatDuration, summarizeSweep } from "../../report/summary.js";
import { formatNumber, formatValue, renderTable } from "../../report/table.js";
import { SweepNotFoundError } from "../../study/index.js";
import type { TrialRecord } from "../../storage/types.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs, type OutputFormat } from "../context.js";
import { escapeControl } from "../../terminal-text.js";
import { envSecretValues, isSecretName, REDACTED, redactArgv, redactSecrets, redactText } from "../../config/secrets.js";
import type { SweepConfig } from "../../config/types.js";
import { argument, choice } from "../flags.js";
import { knownWorkers } from "../../runner/worker.js";
import { formatSlurmIds, slurmSubmissions, type SlurmIds } from "../../runner/slurm/index.js";
import { waitingForRoom } from "../../study/waiting.js";

interface ShowArgs extends GlobalArgs {
  readonly id?: string;
  readonly format?: string;
}

export const showCommand: CommandModule<GlobalArgs, ShowArgs> = {
  command: "show <id>",
  describe: "Show one sweep's trials",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("format", { choices: ["table", "json"] as const, requiresArg: true, default: "table" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const format = choice(args.format, "--format", ["table", "json"] as const) ?? ("table" as OutputFormat);
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const sweep = await storage.getSweep(id);
      if (!sweep) throw new SweepNotFoundError(id, storage.location);
      const trials = await storage.listTrials(sweep.id);
      const summary = summarizeSweep(sweep, trials);
      // Slurm job and array task of each trial's worker, from the workers' announcements (docs/slurm.md).
      const workers = await knownWorkers(storage, sweep.id);
      const slurmOf = (t: TrialRecord) => (t.worker === null ? undefined : workers.get(t.worker)?.slurm);
      const slurmJobs = await slurmSubmissions(storage, sweep.id);
      // Secrets stay out of the output: params and config keys named like secrets, secret flags in the
      // command, and the values of this shell's secret environment variables (HF_TOKEN, ...).
      const secrets = envSecretValues(process.env);
      if (format === "json") {
        return printJson(
          redactSecrets({ ...summary, config: redactConfig(storedConfig(sweep)), trials: trials.map((t) => trialJson(t, slurmOf(t))), ...(slurmJobs.length > 0 ? { slurmJobs } : {}) }, secrets),
        );
      }
      const paramNames = [...new Set(trials.flatMap((t) => Object.keys(t.params)))];
      const metric = summary.metric;
      const header = [
        `sweep ${sweep.id}${sweep.name ? `  ${sweep.name}` : ""}`,
        `  method ${summary.method}, metric ${metric ? `${metric.name} (${metric.goal})` : "none"}, status ${sweep.status}`,
        `  trials ${summary.trials}: ${describeCounts(summary.counts)}`,
        summary.best ? `  best   ${formatNumber(summary.best.value)} (trial ${summary.best.number})` : `  best   none yet`,
        `  storage ${storage.location}`,
        ...(slurmJobs.length > 0 ? [`  slurm  ${slurmJobs.map((j) => `job ${j.jobId} (${j.workers} worker(s))`).join(", ")}; \`sweep slurm status ${sweep.id}\` follows them`] : []),
        ...(slurmJobs.length > 0
          ? [`  workers ${[...workers.values()].filter((w) => w.slurm !== undefined).map((w) => `${w.name} (slurm ${formatSlurmIds(w.slurm!)})`).join(", ") || "none started yet"}`]
          : []),
      ];
      // Names come from the sweep file: each header line is one line, whatever they hold.
      process.stdout.write(header.map((line) => escapeControl(line)).join("\n") + "\n\n");
      if (trials.length === 0) return;
      process.stdout.write(
        renderTable(trials, [
          { header: "#", value: (t) => t.number },
          { header: "STATUS", value: (t) => shownStatus(t) + (t.attempt > 1 ? ` (attempt ${t.attempt})` : "") },
          { header: "VALUE", value: (t) => (t.value === null ? "" : formatNumber(t.value)), align: "right" },
          ...paramNames.map((name) => ({
            header: name,
            value: (t: TrialRecord) => (isSecretName(name) && t.params[name] !== undefined ? REDACTED : redactText(formatValue(t.params[name]), secrets)),
            maxWidth: 24,
          })),
          { header: "TIME", value: (t) => formatDuration(durationSeconds(t.startedAt, t.finishedAt)), align: "right" as const },
          { header: "GPU", value: (t) => (t.gpus === null ? "" : t.gpus === "" ? "cpu" : t.gpus) },
          ...(trials.some((t) => slurmOf(t) !== undefined) ? [{ header: "SLURM", value: (t: TrialRecord) => { const ids = slurmOf(t); return ids ? formatSlurmIds(ids) : ""; } }] : []),
          { header: "PRUNED AT", value: (t) => (t.pruneStep === null ? "" : String(t.pruneStep)) },
          { header: "NOTE", value: (t) => redactText(note(t), secrets), maxWidth: 60 },
          { header: "LOG", value: (t) => t.logPath ?? "" },
        ]) + "\n",
      );
    } finally {
      await storage.close();
    }
  },
};

/** The stored config as shown: secret-named keys and secret flags of a literal command hidden. */
function redactConfig(config: SweepConfig): SweepConfig {
  const redacted = redactSecrets(config);
  return redacted.command ? { ...redacted, command: redactArgv(redacted.command) } : redacted;
}

/** A claimed trial still waiting for room on its GPUs is `running` in storage; shown as what it is. */
function shownStatus(t: TrialRecord): string {
  return waitingForRoom(t) !== null ? "waiting" : t.status;
}

function note(t: TrialRecord): string {
  if (t.status === "pruned") return t.pruneReason ?? "";
  const waiting = waitingForRoom(t);
  if (waiting !== null) return `waits for ${waiting}`;
  if (t.error) return t.error.split("\n")[0] ?? "";
  if (t.signal) return `killed by ${t.signal}`;
  if (t.exitCode !== null && t.exitCode !== 0) return `exit code ${t.exitCode}`;
  return "";
}

function trialJson(t: TrialRecord, slurm: SlurmIds | undefined): unknown {
  return {
    id: t.id,
    number: t.number,
    status: t.status,
    attempt: t.attempt,
    value: t.value,
    params: t.params,
    worker: t.worker,
    gpus: t.gpus,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
    durationSeconds: durationSeconds(t.startedAt, t.finishedAt),
    exitCode: t.exitCode,
    signal: t.signal,
    error: t.error,
    pruneStep: t.pruneStep,
    pruneReason: t.pruneReason,
    waitingFor: waitingForRoom(t),
    logPath: t.logPath,
    ...(slurm ? { slurm } : {}),
  };
}
