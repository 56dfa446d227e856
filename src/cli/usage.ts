/**
 * yargs' usage messages, said plainly and with a did-you-mean: "Unknown argument: paralel" becomes
 * "unknown option --paralel (did you mean --parallel?)". A message this does not recognise is kept as is.
 */
import { suggest } from "../config/suggest.js";
import { allCommands, type CommandInfo } from "./options.js";

/** The line under a usage error: where to read about the command. */
export function usageHint(command: string | undefined): string {
  return command ? `Run \`sweep ${command} --help\` for its options.` : "Run `sweep --help` for usage.";
}

export function explainUsage(message: string, argv: readonly string[], command: CommandInfo | undefined): string {
  const unknown = /^Unknown arguments?: (.*)$/s.exec(message);
  if (unknown) return unknownArguments(unknown[1]!.split(", "), argv, command);

  const missingValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (missingValue) return `--${missingValue[1]} needs a value`;

  if (/^Not enough non-option arguments/.test(message) && command) {
    const missing = command.positionals.filter((p) => p.required).map((p) => `<${p.name}${p.variadic ? "..." : ""}>`);
    return `sweep ${command.name} needs ${missing.join(" ")} (usage: sweep ${command.usage.replace(/\.\.([>\]])/g, "...$1")} [options])`;
  }

  const conflict = /^Arguments (\S+) and (\S+) are mutually exclusive$/.exec(message);
  if (conflict) return `--${conflict[1]} and --${conflict[2]} cannot be used together`;

  if (/^Invalid values:/.test(message)) {
    const lines = [...message.matchAll(/Argument: (\S+), Given: (.*), Choices: (.*)/g)].map((m) => {
      const [, name, given, choices] = m as unknown as [string, string, string, string];
      const words = [...choices.matchAll(/"([^"]*)"/g)].map((c) => c[1]!);
      const guess = suggest(given.replace(/^"|"$/g, ""), words);
      // A positional (`sweep slurm sumbit`) is named as the usage line names it, not as a flag.
      const isPositional = command?.positionals.some((p) => p.name === name) ?? false;
      return `${isPositional ? `<${name}>` : `--${name}`} ${given} is not one of ${words.join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`;
    });
    if (lines.length > 0) return lines.join("; ");
  }
  return message;
}

/** The option tokens of argv (before `--`), by a spelling-free key: `trials-per-gpu`, `trialsPerGpu` -> `trialspergpu`. */
function optionTokens(argv: readonly string[]): Map<string, string> {
  const tokens = new Map<string, string>();
  const end = argv.indexOf("--");
  for (const token of end === -1 ? argv : argv.slice(0, end)) {
    const long = /^--([^=]+)/.exec(token);
    if (long) {
      tokens.set(key(long[1]!), `--${long[1]}`);
      if (long[1]!.startsWith("no-")) tokens.set(key(long[1]!.slice(3)), `--${long[1]}`);
      continue;
    }
    const short = /^-([^-=][^=]*)/.exec(token);
    if (short && !/^-\d/.test(token)) for (const letter of short[1]!) tokens.set(key(letter), `-${letter}`);
  }
  return tokens;
}

function key(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

function unknownArguments(names: readonly string[], argv: readonly string[], command: CommandInfo | undefined): string {
  const tokens = optionTokens(argv);
  const commandNames = [...allCommands().keys()];
  if (command === undefined) {
    // Before any command matched: the first word is not a command.
    const word = names.find((n) => !tokens.has(key(n)));
    if (word !== undefined) {
      const match = suggest(word, commandNames);
      return `unknown command ${JSON.stringify(word)}${match ? ` (did you mean \`sweep ${match}\`?)` : `; the commands are ${commandNames.join(", ")}`}`;
    }
  }
  const known = (command?.options ?? allCommands().get("ls")!.options.filter((o) => o.global)).flatMap((o) => [o.name, ...o.aliases]);
  const options = new Map<string, string>();
  const words: string[] = [];
  for (const name of names) {
    const typed = tokens.get(key(name));
    if (typed === undefined) words.push(name);
    else if (!options.has(typed)) {
      const bare = typed.replace(/^--?(no-)?/, "");
      const match = typed.startsWith("--") ? suggest(bare, known.filter((k) => k.length > 1)) : undefined;
      options.set(typed, `${typed}${match ? ` (did you mean --${match}?)` : ""}`);
    }
  }
  const parts: string[] = [];
  if (options.size > 0) parts.push(`unknown option${options.size === 1 ? "" : "s"} ${[...options.values()].join(", ")}`);
  if (words.length > 0) {
    const where = command ? ` (sweep ${command.name} takes ${describePositionals(command)})` : "";
    parts.push(`unexpected argument${words.length === 1 ? "" : "s"} ${words.map((w) => JSON.stringify(w)).join(", ")}${where}`);
  }
  return parts.join("; ");
}

function describePositionals(command: CommandInfo): string {
  if (command.positionals.length === 0) return "no arguments";
  return command.positionals
    .map((p) => `${p.required ? (p.variadic ? "one or more" : "one") : p.variadic ? "any number of" : "an optional"} <${p.name}>`)
    .join(" and ");
}
