/**
 * `sweep export <id> --format csv|json|jsonl`: one row per trial with params flattened and every reported
 * metric, readable by pandas as is (`read_csv`, `read_json`, `read_json(lines=True)`).
 */
import { writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { trialRecords } from "../../report/export.js";
import { formatRecords, type RecordFormat } from "../../report/records.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { loadSweeps } from "./best.js";

interface ExportArgs extends GlobalArgs {
  readonly id: string;
  readonly format: RecordFormat;
  readonly output?: string;
}

export const exportCommand: CommandModule<GlobalArgs, ExportArgs> = {
  command: "export <id>",
  describe: "Export a sweep's trials (params, every metric) as CSV, JSON or JSON Lines",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("format", { choices: ["csv", "json", "jsonl"] as const, default: "csv" as RecordFormat })
      .option("output", { alias: "o", type: "string", describe: "Write to this file instead of stdout" }),
  handler: async (args) => {
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const [data] = await loadSweeps(storage, [args.id]);
      const text = formatRecords(trialRecords(data!), args.format);
      if (args.output === undefined) {
        process.stdout.write(text);
      } else {
        writeFileSync(args.output, text);
        process.stderr.write(`wrote ${data!.trials.length} trials to ${args.output}\n`);
      }
    } finally {
      await storage.close();
    }
  },
};
