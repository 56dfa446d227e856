/**
 * Typed readers for option and argument values. yargs hands every value over as the text the user typed
 * (main.ts turns yargs' number parsing off: numbers are parsed here, so `--count abc` can say what it was
 * given, and `--count 0x10` or `1e3` are refused rather than read as 16 and 1000); each reader refuses
 * anything else with a UsageError naming the option, what was found and what is expected.
 */
import { accessSync, constants, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parseDuration } from "../config/index.js";
import { flattenConfig, paramProblems } from "../space/index.js";
import type { FlatParams, SearchSpace } from "../space/types.js";
import { UsageError } from "./errors.js";

/** How a value looks in a message: `"abc"`, `""`, `true`. */
function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

/** The text of an option, or undefined when it was not given; anything but a single string is refused. */
export function text(value: unknown, flag: string, options: { allowEmpty?: boolean } = {}): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`${flag} was given ${value.length} times (${value.map(shown).join(", ")}); give it once`);
  // A parser that reads numbers itself (yargs' default, as in tests that drive a command module directly).
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") throw new UsageError(`${flag} needs a value`);
  if (!options.allowEmpty && value.trim() === "") throw new UsageError(`${flag} is empty; give it a value`);
  return value;
}

/** A positional argument (`<file>`, `<id>`): a non-empty string. */
export function argument(value: unknown, name: string): string {
  const t = text(value, `<${name}>`);
  if (t === undefined) throw new UsageError(`missing <${name}>`);
  return t;
}

export interface WholeNumberRule {
  readonly min: number;
  /** Largest accepted value (default: Number.MAX_SAFE_INTEGER). */
  readonly max?: number;
}

/** A whole number written in decimal (`4`, `+4`), within the rule's bounds. */
export function wholeNumber(value: unknown, flag: string, rule: WholeNumberRule): number | undefined {
  const t = text(value, flag);
  if (t === undefined) return undefined;
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  const expected = rule.max === undefined ? `a whole number of at least ${rule.min}` : `a whole number from ${rule.min} to ${rule.max}`;
  const trimmed = t.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) throw new UsageError(`${flag} ${shown(t)} is not a whole number; expected ${expected}`);
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n) || n < rule.min || n > max) throw new UsageError(`${flag} ${trimmed} is out of range; expected ${expected}`);
  return n;
}

/**
 * The longest duration a flag takes: Node's timers hold at most 2^31 - 1 ms (24.8 days) and fire at once
 * for anything longer, which would stop every trial the moment it starts.
 */
export const MAX_DURATION_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A duration: `90` (seconds), `90s`, `30m`, `2h`, `1h30m`; more than zero, at most 24 days. */
export function duration(value: unknown, flag: string): number | undefined {
  const t = text(value, flag);
  if (t === undefined) return undefined;
  const seconds = parseDuration(t);
  if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`${flag} ${shown(t)} is not a duration; expected e.g. 90, 90s, 30m, 2h or 1h30m (more than zero)`);
  }
  if (seconds > MAX_DURATION_SECONDS) throw new UsageError(`${flag} ${shown(t)} is too long; expected at most 24d (${MAX_DURATION_SECONDS} seconds)`);
  return seconds;
}

/** One of a fixed set of words (yargs checks `choices`; this keeps the type and refuses repeats). */
export function choice<T extends string>(value: unknown, flag: string, choices: readonly T[]): T | undefined {
  const t = text(value, flag);
  if (t === undefined) return undefined;
  if (!(choices as readonly string[]).includes(t)) throw new UsageError(`${flag} ${shown(t)} is not one of ${choices.join(", ")}`);
  return t as T;
}

/**
 * A file the command will write (`-o`): refused before any work when its folder does not exist or cannot be
 * written, or when the path is a folder. Returns the path as given.
 */
export function outputFile(value: unknown, flag: string): string | undefined {
  const path = text(value, flag);
  if (path === undefined) return undefined;
  checkWritableFile(path, flag);
  return path;
}

/** Throws a UsageError unless `path` can be created or overwritten. */
export function checkWritableFile(path: string, flag: string): void {
  const full = resolve(path);
  const target = statOrNull(full);
  if (target?.isDirectory()) throw new UsageError(`${flag} ${path} is a folder; give the file to write, e.g. ${path.replace(/\/+$/, "")}/out.html`);
  const folder = dirname(full);
  const parent = statOrNull(folder);
  if (parent === null) throw new UsageError(`${flag} ${path}: the folder ${folder} does not exist; create it or write elsewhere`);
  if (!parent.isDirectory()) throw new UsageError(`${flag} ${path}: ${folder} is not a folder`);
  try {
    accessSync(target === null ? folder : full, constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${path} cannot be written (permission denied${target === null ? ` in ${folder}` : ""}); write elsewhere`);
  }
}

/** Writes a command's output file; a failure (disk full, folder removed meanwhile) is a message, not a trace. */
export function writeOutput(path: string, content: string, flag: string): void {
  try {
    writeFileSync(path, content);
  } catch (error) {
    throw new UsageError(`${flag} ${path} could not be written (${(error as Error).message}); write elsewhere`);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * `--enqueue FILE`: a YAML or JSON mapping of parameter values (a baseline config), or a list of them, to run
 * first. Keys are parameter names, dotted (`optimizer.lr`) or nested as in the sweep file; parameters left
 * out are sampled. Every entry is checked against the sweep's space before anything is stored.
 */
export function enqueueFile(value: unknown, space: SearchSpace): FlatParams[] | undefined {
  const path = text(value, "--enqueue");
  if (path === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`--enqueue ${path}: cannot read it: ${(error as Error).message}`);
  }
  const entries = Array.isArray(parsed) ? parsed : [parsed];
  const isMapping = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
  const names = new Set(space.params.map((p) => p.name));
  const roots = new Set(space.params.map((p) => p.path[0]));
  return entries.map((entry, i) => {
    const where = Array.isArray(parsed) ? `--enqueue ${path}, entry ${i + 1}` : `--enqueue ${path}`;
    if (!isMapping(entry)) throw new UsageError(`${where}: expected a mapping of parameter name -> value, found ${shown(JSON.stringify(entry))}`);
    const unknown = Object.keys(entry).filter((k) => !names.has(k) && !roots.has(k));
    if (unknown.length > 0) {
      throw new UsageError(`${where}: ${unknown.map((k) => `'${k}'`).join(", ")} is not a parameter of the sweep (its parameters: ${[...names].join(", ")})`);
    }
    const flat: FlatParams = { ...flattenConfig(space, entry) };
    for (const name of names) if (name in entry) flat[name] = entry[name];
    const problems = paramProblems(space, flat);
    if (problems.length > 0) throw new UsageError(`${where}: ${problems.join("; ")}`);
    return flat;
  });
}
