/**
 * `sweep rm ID [--yes]`: remove a sweep for good: its trials, metrics and events from the storage, its run
 * folders and its controller log from the disk. Refused while anything still runs it (`sweep stop` first), and
 * without `--yes` when there is no terminal to ask on.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline/promises";
import type { CommandModule } from "yargs";
import { ExitCode } from "../../exit-codes.js";
import { STALE_HEARTBEAT_MS } from "../../runner/controller.js";
import { runDirFor, storageHome } from "../../runner/setup.js";
import { sweepLiveness } from "../../runner/worker.js";
import { SweepNotFoundError } from "../../study/index.js";
import { openExistingStorage, printJson, storageLocation, type GlobalArgs } from "../context.js";
import { CliError } from "../errors.js";
import { argument, choice } from "../flags.js";

interface RmArgs extends GlobalArgs {
  readonly id?: string;
  readonly yes?: boolean;
  readonly format?: string;
}

const FORMATS = ["text", "json"] as const;

export const rmCommand: CommandModule<GlobalArgs, RmArgs> = {
  command: "rm <id>",
  describe: "Remove a sweep: its trials and metrics, run folders and log (asks first; --yes to skip)",
  builder: (y) =>
    y
      .positional("id", { type: "string", demandOption: true, describe: "Sweep id (see `sweep ls`)" })
      .option("yes", { alias: "y", type: "boolean", default: false, describe: "Do not ask" })
      .option("format", { choices: FORMATS, requiresArg: true, default: "text", describe: "json: what was removed, as one JSON document on stdout" }),
  handler: async (args) => {
    const id = argument(args.id, "id");
    const format = choice(args.format, "--format", FORMATS) ?? "text";
    const location = storageLocation(args);
    if (!args.yes && !process.stdin.isTTY) {
      throw new CliError(`sweep rm ${id} removes the sweep for good; add --yes to confirm (there is no terminal to ask on)`, ExitCode.usage);
    }
    const storage = await openExistingStorage(location);
    try {
      const record = await storage.getSweep(id);
      if (!record) throw new SweepNotFoundError(id, storage.location);
      if (record.status === "running" && (await sweepLiveness(storage, id, STALE_HEARTBEAT_MS)) !== "dead" && (await storage.listTrials(id, { status: ["running"] })).length > 0) {
        throw new CliError(`sweep ${id} is still running; stop it first with \`sweep stop ${id} --wait\``, ExitCode.sweepBusy);
      }
      const trials = (await storage.listTrials(id)).length;
      if (!args.yes) {
        const prompt = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await prompt.question(`remove sweep ${id}${record.name ? ` (${record.name})` : ""} with its ${trials} trial(s), run folders and log? [y/N] `);
        prompt.close();
        if (!/^y(es)?$/i.test(answer.trim())) {
          if (format === "json") return printJson({ sweepId: id, removed: false, trials: 0, runDir: null, log: null });
          process.stdout.write("nothing removed\n");
          return;
        }
      }
      await storage.deleteSweep(id);
      // Files last: a crash in between leaves folders of a sweep that no longer exists, never a sweep without its logs.
      const runs = join(runDirFor(storage.location), id);
      const log = join(storageHome(storage.location), "logs", `controller-${id}.log`);
      rmSync(runs, { recursive: true, force: true });
      rmSync(log, { force: true });
      if (format === "json") return printJson({ sweepId: id, removed: true, trials, runDir: runs, log });
      process.stdout.write(`removed sweep ${id}: ${trials} trial(s), ${runs}, ${log}\n`);
    } finally {
      await storage.close();
    }
  },
};
