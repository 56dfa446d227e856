/**
 * `sweep report <id> -o report.html`: a self-contained HTML report (charts drawn as inline SVG, no network).
 */
import { writeFileSync } from "node:fs";
import type { CommandModule } from "yargs";
import { renderReport } from "../../report/report.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { loadSweeps } from "./best.js";

interface ReportArgs extends GlobalArgs {
  readonly id: string;
  readonly output?: string;
}

export const reportCommand: CommandModule<GlobalArgs, ReportArgs> = {
  command: "report <id>",
  describe: "Write a self-contained HTML report of a sweep (history, importance, parallel coordinates, slices, curves, best per model)",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("output", { alias: "o", type: "string", describe: "The HTML file to write (default: sweep-<id>.html)" }),
  handler: async (args) => {
    const storage = await openExistingStorage(storageLocation(args), { readOnly: true });
    try {
      const [data] = await loadSweeps(storage, [args.id]);
      const output = args.output ?? `sweep-${args.id}.html`;
      writeFileSync(output, renderReport(data!));
      process.stdout.write(`wrote ${output}\n`);
    } finally {
      await storage.close();
    }
  },
};
