/**
 * The `sweep` command line. Thin: parsing and printing only; the work is in the library modules.
 * Sets an exit code instead of calling process.exit, so it can run in-process in tests and as a library.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { suggest } from "../config/suggest.js";
import { packageRoot } from "../runner/package-paths.js";
import { commands } from "./commands/index.js";
import { describeFailure } from "./errors.js";
import { ExitCode } from "../exit-codes.js";

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

const EPILOGUE = `Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid sweep file, 4 not found,
5 trainer broken, 6 some trials failed, 7 nothing to report, 8 storage unusable, 9 sweep already running,
130 interrupted (Ctrl-C),
143 terminated.
Docs: docs/cli.md, docs/sweep-file.md`;

/** Run the CLI on `argv` (without node and script) and resolve to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let usageError: string | null = null;
  const parser = yargs([...argv])
    .scriptName("sweep")
    .usage("$0 <command> [options]\n\nLocal-first hyperparameter sweeps: W&B sweep files, random/grid/TPE search, GPU-pinned trainers, SQLite.")
    .option("storage", { type: "string", describe: "Storage: a SQLite file (default storage/sweeps.db), :memory:, or postgresql://user@host/db", global: true })
    .option("log-format", { choices: ["pretty", "json"] as const, describe: "json: also write structured logs to stderr", global: true })
    .command(commands)
    .demandCommand(1, "Give a command; see `sweep --help`.")
    .strict()
    .version(packageVersion())
    .alias("h", "help")
    .alias("v", "version")
    .epilogue(EPILOGUE)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error; // a handler's failure: mapped below
      usageError = message;
    });

  try {
    await parser.parseAsync();
  } catch (error) {
    const failure = describeFailure(error);
    process.stderr.write(`sweep: ${failure.message}\n`);
    return failure.exitCode;
  }
  if (usageError !== null) {
    const hint = commandHint(argv);
    process.stderr.write(`sweep: ${usageError}${hint}\nRun \`sweep --help\` for usage.\n`);
    return ExitCode.usage;
  }
  return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
}

/** "(did you mean `sweep validate`?)" when the first word is a misspelt command. */
function commandHint(argv: readonly string[]): string {
  const first = argv[0];
  if (first === undefined || first.startsWith("-")) return "";
  const names = commands.map((c) => String(c.command ?? "").split(" ")[0]!);
  if (names.includes(first)) return "";
  const match = suggest(first, names);
  return match ? ` (did you mean \`sweep ${match}\`?)` : "";
}

/** True when this module is the process's entry point (not imported by a test or bin/sweep.js). */
function isEntryPoint(): boolean {
  return process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
}

if (isEntryPoint()) {
  process.exitCode = await main(hideBin(process.argv));
}
