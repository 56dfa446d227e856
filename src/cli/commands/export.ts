/**
 * `sweep export <id> --format csv|json|jsonl`: one row per trial with params flattened and every reported
 * metric, readable by pandas as is (`read_csv`, `read_json`, `read_json(lines=True)`).
 */
import type { CommandModule } from "yargs";
import { trialRecords } from "../../report/export.js";
import { formatRecords, type RecordFormat } from "../../report/records.js";
import { openExistingStorage, printData, storageLocation, type GlobalArgs } from "../context.js";
import { argument, choice, outputFile, writeOutput } from "../flags.js";
import { loadSweeps } from "./best.js";

interface ExportArgs extends GlobalArgs {
  readonly id?: string;
  readonly format?: string;
  readonly output?: string;
}

const FORMATS = ["csv", "json", "jsonl"] as const satisfies readonly RecordFormat[];

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: "export <id>",
  describe: "Export a sweep's trials (params, every metric) as CSV, JSON or JSON Lines",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("format", { choices: FORMATS, requiresArg: true, default: "csv" })
      .option("output", { alias: "o", type: "string", requiresArg: true, describe: "Write to this file instead of stdout (its folder must exist)" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const format = choice(args.format, "--format", FORMATS) ?? "csv";
    const output = outputFile(args.output, "--output");
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const [data] = await loadSweeps(storage, [id]);
      const text = formatRecords(trialRecords(data!), format);
      if (output === undefined) {
        printData(text);
      } else {
        writeOutput(output, text, "--output");
        process.stderr.write(`wrote ${data!.trials.length} trials to ${output}\n`);
      }
    } finally {
      await storage.close();
    }
  },
};
