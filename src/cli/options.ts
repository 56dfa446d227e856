/**
 * What each command accepts, read from the yargs command modules themselves (their builders run on a
 * scratch parser): the did-you-mean hints for misspelt options come from it, and the contract tests use it to
 * try every option of every command, so a new option cannot miss either.
 */
import yargs, { type Argv, type CommandModule } from "yargs";
import { commands } from "./commands/index.js";

/** Options every command takes. */
export function withGlobalOptions<T>(y: Argv<T>) {
  return y
    .option("storage", {
      type: "string",
      requiresArg: true,
      describe: "Storage: a SQLite file (default storage/sweeps.db), :memory:, or postgresql://user@host/db",
      global: true,
    })
    .option("log-format", { choices: ["pretty", "json"] as const, requiresArg: true, describe: "json: also write structured logs to stderr", global: true });
}

export interface OptionInfo {
  /** As typed on the command line, without dashes: `trials-per-gpu`, `o`. */
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: "string" | "boolean";
  readonly choices?: readonly string[];
  readonly global: boolean;
  /** May be given several times, each adding a value (`--sbatch-arg`). */
  readonly repeatable?: boolean;
}

export interface PositionalInfo {
  readonly name: string;
  readonly required: boolean;
  /** `<files..>`: one or more. */
  readonly variadic: boolean;
}

export interface CommandInfo {
  /** `run`. */
  readonly name: string;
  /** `run <file>`. */
  readonly usage: string;
  readonly positionals: readonly PositionalInfo[];
  /** Named options, the global ones included; not --help and --version. */
  readonly options: readonly OptionInfo[];
}

/** The subset of yargs' `getOptions()` read here (public on the instance, missing from @types/yargs). */
interface ParserOptions {
  readonly key: Record<string, unknown>;
  readonly alias: Record<string, string[]>;
  readonly boolean: string[];
  readonly string: string[];
  readonly choices: Record<string, string[]>;
}

const GLOBAL_NAMES = new Set(["storage", "log-format"]);
/** Options that add one value each time they are given; every other option is refused when repeated. */
export const REPEATABLE_OPTIONS = new Set(["sbatch-arg"]);
const BUILT_IN = new Set(["help", "version"]);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCommand = CommandModule<any, any>;

/** The name (`run`) of a command module. */
export function commandName(command: AnyCommand): string {
  return String(command.command ?? "").split(" ")[0]!;
}

/** Reads one command's positionals and options. */
export function describeCommand(command: AnyCommand): CommandInfo {
  const usage = String(command.command ?? "");
  const positionals = [...usage.matchAll(/([<[])([^>\]]+)[>\]]/g)].map((m) => {
    const raw = m[2]!;
    return { name: raw.replace(/\.\.$/, ""), required: m[1] === "<", variadic: raw.endsWith("..") };
  });
  let y: Argv = withGlobalOptions(yargs([])) as unknown as Argv;
  if (typeof command.builder === "function") y = (command.builder(y) as Argv | undefined) ?? y;
  const o = (y as unknown as { getOptions(): ParserOptions }).getOptions();
  const positionalNames = new Set(positionals.map((p) => p.name));
  const aliasTargets = new Set(Object.values(o.alias).flat());
  const options: OptionInfo[] = [];
  for (const name of Object.keys(o.key)) {
    if (BUILT_IN.has(name) || positionalNames.has(name) || aliasTargets.has(name)) continue;
    const choices = o.choices[name];
    options.push({
      name,
      aliases: o.alias[name] ?? [],
      type: o.boolean.includes(name) ? "boolean" : "string",
      ...(choices ? { choices } : {}),
      global: GLOBAL_NAMES.has(name),
      ...(REPEATABLE_OPTIONS.has(name) ? { repeatable: true } : {}),
    });
  }
  return { name: commandName(command), usage, positionals, options };
}

let cache: Map<string, CommandInfo> | undefined;

/** Every command, by name, in `--help` order. */
export function allCommands(): Map<string, CommandInfo> {
  cache ??= new Map(commands.map((c) => [commandName(c), describeCommand(c)]));
  return cache;
}
