/**
 * Where a sweep file's `program:` lives.
 *
 * A relative `program:` is looked up in the sweep file's folder first, then in the current directory. The
 * first is what makes `sweep run ~/proj/sweeps/demo.yaml` work from anywhere; the second is what W&B does
 * (`wandb agent` runs `${program}` from the directory it was started in), so a W&B file kept in another
 * folder than its script still runs when started from the script's folder, as it did under W&B. The trainer's
 * working directory is the current directory either way (as under W&B), so its own relative paths (data,
 * output) keep their meaning. docs/sweep-file.md documents the rule.
 */
import { statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { DEFAULT_COMMAND_TOKENS } from "./keys.js";

export type ProgramBase = "absolute" | "sweep file folder" | "current directory";

export interface ProgramLocation {
  /** Absolute path of the program file. */
  readonly path: string;
  readonly base: ProgramBase;
}

export interface ProgramSearch {
  /** Folder of the sweep file, when the sweep came from a file. */
  readonly sweepFileDir?: string | undefined;
  readonly cwd: string;
}

/** Where `program` would be looked for, in order, as absolute paths. */
export function programCandidates(program: string, search: ProgramSearch): { path: string; base: ProgramBase }[] {
  if (isAbsolute(program)) return [{ path: program, base: "absolute" }];
  const candidates: { path: string; base: ProgramBase }[] = [];
  if (search.sweepFileDir !== undefined) candidates.push({ path: resolve(search.sweepFileDir, program), base: "sweep file folder" });
  const fromCwd = resolve(search.cwd, program);
  if (!candidates.some((c) => c.path === fromCwd)) candidates.push({ path: fromCwd, base: "current directory" });
  return candidates;
}

/** The first candidate that is a file, or undefined when none is. */
export function locateProgram(program: string, search: ProgramSearch): ProgramLocation | undefined {
  return programCandidates(program, search).find((c) => isFile(c.path));
}

/**
 * What `${program}` expands to at launch: the located file, or (when it is nowhere: a sweep run on another
 * host whose checkout lies elsewhere) the first candidate, so the trainer's own error names a concrete path.
 */
export function programForLaunch(program: string, search: ProgramSearch): string {
  return locateProgram(program, search)?.path ?? programCandidates(program, search)[0]!.path;
}

/** True when the command (or W&B's default command, when there is none) expands `${program}`. */
export function commandUsesProgram(command: readonly string[] | undefined): boolean {
  return (command ?? DEFAULT_COMMAND_TOKENS).some((token) => token.includes("${program}"));
}

export function sweepFileDir(file: string): string {
  return dirname(resolve(file));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
