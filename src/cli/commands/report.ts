/**
 * `sweep report <id> -o report.html`: a self-contained HTML report (charts drawn as inline SVG, no network).
 */
import type { CommandModule } from "yargs";
import { renderReport } from "../../report/report.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs } from "../context.js";
import { argument, checkWritableFile, choice, outputFile, writeOutput } from "../flags.js";
import { loadSweeps } from "./best.js";

interface ReportArgs extends GlobalArgs {
  readonly id?: string;
  readonly output?: string;
  readonly format?: string;
}

const FORMATS = ["text", "json"] as const;

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: "report <id>",
  describe: "Write a self-contained HTML report of a sweep (history, importance, parallel coordinates, slices, curves, best per model)",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("output", { alias: "o", type: "string", requiresArg: true, describe: "The HTML file to write (default: sweep-<id>.html; its folder must exist)" })
      .option("format", { choices: FORMATS, requiresArg: true, default: "text", describe: "json: the file written, as one JSON document on stdout" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const format = choice(args.format, "--format", FORMATS) ?? "text";
    const given = outputFile(args.output, "--output");
    const output = given ?? `sweep-${id}.html`;
    // No sweep id holds a path separator: with one, the lookup below says "no sweep" before anything is written.
    if (given === undefined && !/[\\/]/.test(id)) checkWritableFile(output, "the report");
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const [data] = await loadSweeps(storage, [id]);
      writeOutput(output, renderReport(data!), given === undefined ? "the report" : "--output");
      if (format === "json") return printJson({ sweepId: data!.sweep.id, output, trials: data!.trials.length });
      process.stdout.write(`wrote ${output}\n`);
    } finally {
      await storage.close();
    }
  },
};
