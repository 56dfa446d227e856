/**
 * The `sweep` command line. Thin: parsing and printing only; the work is in the library modules.
 * Returns an exit code instead of calling process.exit, so it can run in-process in tests and as a library.
 *
 * The contract (docs/cli.md): every argument is parsed and checked before a command does anything. A usage
 * problem throws a UsageError out of yargs' `.fail()`, so the command's handler never runs, and each
 * handler reads all of its options (src/cli/flags.ts), the sweep file and the storage location before it
 * opens, creates or starts anything.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import yargs, { type Argv, type CommandModule } from "yargs";
import { hideBin } from "yargs/helpers";
import { packageRoot } from "../runner/package-paths.js";
import { commands } from "./commands/index.js";
import { describeFailure, UsageError } from "./errors.js";
import { allCommands, commandName, withGlobalOptions, type CommandInfo } from "./options.js";
import { explainUsage, usageHint } from "./usage.js";
import { ExitCode } from "../exit-codes.js";

function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
}

const EPILOGUE = `Exit codes: 0 ok, 1 internal error, 2 usage, 3 invalid sweep file, 4 not found,
5 trainer broken, 6 some trials failed, 7 nothing to report, 8 storage unusable, 9 sweep already running,
10 Slurm failed, 130 interrupted (Ctrl-C),
143 terminated.
Docs: docs/cli.md, docs/sweep-file.md`;

/** Run the CLI on `argv` (without node and script) and resolve to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = [...argv];
  // The command yargs matched: its builder is called only for that one.
  let matched: CommandInfo | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const tracked = commands.map((c): CommandModule<any, any> => ({
    ...c,
    builder: (y: Argv) => {
      matched = allCommands().get(commandName(c));
      return typeof c.builder === "function" ? (c.builder(y) as Argv) : y;
    },
  }));

  const parser = withGlobalOptions(yargs(args))
    .scriptName("sweep")
    .usage("$0 <command> [options]\n\nLocal-first hyperparameter sweeps: W&B sweep files, random/grid/TPE search, GPU-pinned trainers, SQLite.")
    // Values reach the commands as typed: numbers are checked (and explained) by src/cli/flags.ts.
    .parserConfiguration({ "parse-numbers": false, "parse-positional-numbers": false, "dot-notation": false })
    .command(tracked)
    .middleware((parsed) => checkParsed(parsed, args, matched))
    .demandCommand(1, `give a command: ${commands.map(commandName).join(", ")}`)
    .strict()
    .locale("en")
    .exitProcess(false)
    .version(packageVersion())
    .alias("h", "help")
    .alias("v", "version")
    .epilogue(EPILOGUE)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((message, error) => {
      // yargs' own complaints arrive as a message, or as a YError ("Not enough arguments following: …").
      if (error && error.name !== "YError") throw error; // a handler's failure: mapped below
      throw new UsageError(explainUsage(message ?? error?.message ?? "", args, matched), matched?.name);
    });

  // Handlers report a run's outcome through process.exitCode; keep a caller's own value out of it.
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    await parser.parseAsync();
    return typeof process.exitCode === "number" ? process.exitCode : ExitCode.ok;
  } catch (error) {
    const failure = describeFailure(error);
    const hint = error instanceof UsageError ? `\n${usageHint(error.command ?? matched?.name)}` : "";
    process.stderr.write(`sweep: ${failure.message}${hint}\n`);
    return failure.exitCode;
  } finally {
    process.exitCode = outer;
  }
}

/**
 * What yargs lets through but a command must not see: an option given twice, `--no-X` for an option that
 * takes a value, `--flag=maybe` for an on/off flag, words after `--`. Runs before the handler.
 */
function checkParsed(parsed: Record<string, unknown>, argv: readonly string[], matched: CommandInfo | undefined): void {
  if (matched === undefined) return;
  const fail = (message: string) => new UsageError(message, matched.name);
  for (const option of matched.options) {
    const value = parsed[option.name];
    if (Array.isArray(value) && option.repeatable === true) continue;
    if (Array.isArray(value)) throw fail(`--${option.name} was given ${value.length} times (${value.map((v) => JSON.stringify(v)).join(", ")}); give it once`);
    if (typeof value === "boolean" && option.type !== "boolean") throw fail(`--${option.name} needs a value (--no-${option.name} is not an option)`);
  }
  const booleans = matched.options.filter((o) => o.type === "boolean").map((o) => o.name);
  const end = argv.indexOf("--");
  for (const token of end === -1 ? argv : argv.slice(0, end)) {
    const m = /^--(?:no-)?([^=]+)=(.*)$/s.exec(token);
    if (m && booleans.some((b) => b === m[1] || camel(b) === m[1]) && !/^(true|false)$/.test(m[2]!)) {
      throw fail(`--${m[1]} is an on/off flag; found ${JSON.stringify(m[2])} after "=" (write --${m[1]}, --no-${m[1]}, or =true/=false)`);
    }
  }
  const extra = (parsed._ as unknown[] | undefined)?.slice(1) ?? [];
  if (extra.length > 0) {
    throw fail(`unexpected argument${extra.length === 1 ? "" : "s"} ${extra.map((e) => JSON.stringify(String(e))).join(", ")}`);
  }
}

function camel(kebab: string): string {
  return kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** True when this module is the process's entry point (not imported by a test or bin/sweep.js). */
function isEntryPoint(): boolean {
  return process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
}

if (isEntryPoint()) {
  process.exitCode = await main(hideBin(process.argv));
}
