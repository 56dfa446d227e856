/**
 * `sweep best [id...] --metric M`: the best trial per model, with lr, batch size, warmup and weight decay
 * first. Without ids it looks at every sweep in the storage, so sweeps run one model at a time give one table.
 */
import type { CommandModule } from "yargs";
import type { Goal } from "../../config/types.js";
import { bestPerModel, type BestResult } from "../../report/best.js";
import { bestRecords, bestTableColumns } from "../../report/best-table.js";
import { loadSweepData, type SweepData } from "../../report/data.js";
import { NoResultError, QueryError } from "../../report/errors.js";
import type { Aggregation } from "../../report/metrics.js";
import { formatRecords } from "../../report/records.js";
import { renderTable } from "../../report/table.js";
import { SweepNotFoundError } from "../../study/index.js";
import type { Storage } from "../../storage/types.js";
import { jsonText, openExistingStorage, printData, storageLocation, type GlobalArgs } from "../context.js";
import { argument, choice, outputFile, text, wholeNumber, writeOutput } from "../flags.js";
import { CliError } from "../errors.js";
import { ExitCode } from "../../exit-codes.js";
import { escapeControl } from "../../terminal-text.js";

interface BestArgs extends GlobalArgs {
  readonly ids?: string[];
  readonly metric?: string;
  readonly goal?: string;
  readonly by?: string;
  readonly agg?: string;
  readonly top?: string;
  readonly includePruned?: boolean;
  readonly format?: string;
  readonly output?: string;
}

const GOALS = ["max", "min", "maximize", "minimize"] as const;
const AGGREGATIONS = ["last", "best"] as const satisfies readonly Aggregation[];
const FORMATS = ["table", "json", "csv"] as const;

export const bestCommand: CommandModule<GlobalArgs, BestArgs> = {
  command: "best [ids..]",
  describe: "The best trial per model (lr, batch size, warmup, weight decay, every other param)",
  builder: (y) =>
    y
      .positional("ids", { type: "string", array: true, describe: "Sweep ids (default: every sweep in the storage)" })
      .option("metric", { type: "string", requiresArg: true, describe: "Any metric the trials reported (default: the sweeps' objective)" })
      .option("goal", { choices: GOALS, requiresArg: true, describe: "Default: the sweep's goal for its metric; inferred for *loss, *accuracy, … names" })
      .option("by", { type: "string", requiresArg: true, describe: "Parameter naming the model (default: model_name, model or model_name_or_path, else the sweep's name)" })
      .option("agg", { choices: AGGREGATIONS, requiresArg: true, describe: "A trial's value: its last reported value or its best (default: the sweep's objective rule, else last)" })
      .option("top", { requiresArg: true, default: "1", describe: "Trials per model (a whole number >= 1)" })
      .option("include-pruned", { type: "boolean", default: false, describe: "Count pruned trials too (value when stopped)" })
      .option("format", { choices: FORMATS, requiresArg: true, default: "table" })
      .option("output", { alias: "o", type: "string", requiresArg: true, describe: "Write to this file instead of stdout (its folder must exist), as export -o does" }),
  handler: async (args) => {
    const ids = (args.ids ?? []).map((id) => argument(id, "ids"));
    const query = {
      metric: text(args.metric, "--metric"),
      goal: toGoal(choice(args.goal, "--goal", GOALS)),
      by: text(args.by, "--by"),
      agg: choice(args.agg, "--agg", AGGREGATIONS),
      top: wholeNumber(args.top, "--top", { min: 1 }),
      includePruned: args.includePruned,
    };
    const format = choice(args.format, "--format", FORMATS) ?? "table";
    const output = outputFile(args.output, "--output");
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const sweeps = await loadSweeps(storage, ids);
      const result = answer(() => bestPerModel(sweeps, query));
      for (const note of result.notes) process.stderr.write(`note: ${escapeControl(note, { keepLayout: true })}\n`);
      const counted = query.includePruned ? "completed and pruned trials" : "completed trials";
      const content =
        format === "json"
          ? jsonText(bestJson(result)) + "\n"
          : format === "csv"
            ? formatRecords(bestRecords(result), "csv")
            : escapeControl(`best ${result.metric} (${result.goal}, ${result.goalSource}) per model (${result.modelSource}), over ${counted}`) +
              "\n\n" +
              renderTable(result.rows, bestTableColumns(result)) +
              "\n";
      if (output === undefined) {
        printData(content);
      } else {
        writeOutput(output, content, "--output");
        process.stderr.write(`wrote ${result.rows.length} row(s) to ${output}\n`);
      }
    } finally {
      await storage.close();
    }
  },
};

/** The named sweeps (every one when none is named), loaded for a results query. */
export async function loadSweeps(storage: Storage, ids: readonly string[]): Promise<SweepData[]> {
  const records = [];
  if (ids.length === 0) {
    records.push(...(await storage.listSweeps()));
    if (records.length === 0) throw new CliError(`no sweeps in ${storage.location}`, ExitCode.noResult);
  } else {
    for (const id of ids) {
      const sweep = await storage.getSweep(id);
      if (!sweep) throw new SweepNotFoundError(id, storage.location);
      records.push(sweep);
    }
  }
  return Promise.all(records.map((r) => loadSweepData(storage, r)));
}

/** Run a results query, turning "nothing to report" into exit 7 and "add a flag" into a usage error. */
export function answer<T>(query: () => T): T {
  try {
    return query();
  } catch (error) {
    if (error instanceof NoResultError) throw new CliError(error.message, ExitCode.noResult);
    if (error instanceof QueryError) throw new CliError(error.message, ExitCode.usage);
    throw error;
  }
}

function toGoal(goal: (typeof GOALS)[number] | undefined): Goal | undefined {
  if (goal === undefined) return undefined;
  return goal === "max" || goal === "maximize" ? "maximize" : "minimize";
}

function bestJson(result: BestResult): unknown {
  return {
    metric: result.metric,
    goal: result.goal,
    goalSource: result.goalSource,
    agg: result.agg ?? null,
    modelSource: result.modelSource,
    notes: result.notes,
    rows: result.rows.map((r) => ({
      model: r.model,
      rank: r.rank,
      value: r.value,
      sweepId: r.sweepId,
      sweepName: r.sweepName,
      trial: r.trialNumber,
      trialId: r.trialId,
      status: r.status,
      ...r.roles,
      params: r.params,
      trials: r.candidates,
    })),
  };
}
