/**
 * W&B `command:` templates, expanded into an argv array.
 *
 * The result is handed to `spawn` as an array and never through a shell, so a parameter value such as
 * `$(touch pwned); rm -rf x` reaches the trainer as one literal argument. Expansion follows the W&B agent:
 * a macro token expands to zero or more arguments; list macros (`${args}` and friends) must be whole
 * tokens; scalar macros (`${program}`, `${interpreter}`, `${env}`, `${args_json}`, `${args_json_file}`,
 * `${envvar:NAME}`) may also sit inside a token (`--config=${args_json_file}`).
 */
import { accessSync, constants as fsConstants } from "node:fs";
import { delimiter, extname, join } from "node:path";
import { DEFAULT_COMMAND_TOKENS, ENVVAR_MACRO_PREFIX, LIST_MACROS, SCALAR_MACROS } from "../config/keys.js";
import { nestedFloatMask } from "../space/float-masks.js";
import type { FlatParams, FloatMask, SearchSpace } from "../space/types.js";
import { pythonJsonDumps, pythonStr } from "./python-format.js";

/** W&B's default when a sweep file has no `command:`. */
export const DEFAULT_COMMAND: readonly string[] = DEFAULT_COMMAND_TOKENS;

export { LIST_MACROS, SCALAR_MACROS } from "../config/keys.js";

export class CommandError extends Error {
  override readonly name = "CommandError";
}

export interface CommandInput {
  /** The sweep file's `command:` (W&B default when absent). */
  readonly template?: readonly string[] | undefined;
  /** The sweep file's `program:`. */
  readonly program?: string | undefined;
  /** Flat, dotted parameters (with `space`, they tell which values are floats). */
  readonly params: FlatParams;
  /** The same values nested: what `${args}` and its variants list (one per top-level key) and `${args_json}` carries. */
  readonly config: Record<string, unknown>;
  /**
   * The sweep's search space, which knows which values are Python floats (`1.0`); without it integral
   * numbers are written as ints.
   */
  readonly space?: SearchSpace;
  /** Path of a file holding `config` as JSON, for `${args_json_file}` (the caller writes it). */
  readonly argsJsonFile: string;
  /** Environment used for `${envvar:NAME}` and to find an interpreter on PATH. */
  readonly env: NodeJS.ProcessEnv;
  /** Overrides `${interpreter}`; otherwise see `resolveInterpreter`. */
  readonly interpreter?: string | undefined;
  readonly platform?: NodeJS.Platform;
}

/**
 * Formats a value as the W&B agent does for `--key=value` (`f"--{key}={value}"`, i.e. Python's `str()`), so
 * argparse trainers written for W&B parse the same text: `True`/`False`, `None`, `1.0` and `1e-05` for
 * floats, lists and dicts as Python prints them (`[1, 2]`, `{'a': 1}`). `mask` marks integral floats.
 */
export function formatArgValue(value: unknown, mask?: FloatMask): string {
  return pythonStr(value, mask);
}

/** The nested trial config as W&B's `${args_json}` writes it (`json.dumps`), floats as floats. */
export function formatArgsJson(config: Record<string, unknown>, params: FlatParams, space?: SearchSpace): string {
  return pythonJsonDumps(config, space ? nestedFloatMask(space, params) : undefined);
}

/**
 * The list macros, one entry per top-level key of the trial config, as the W&B agent builds them: a nested
 * parameter is one argument holding its dict (`--optimizer={'lr': 0.001, 'name': 'adam'}`).
 */
function listMacro(name: (typeof LIST_MACROS)[number], config: Record<string, unknown>, params: FlatParams, space: SearchSpace | undefined): string[] {
  const out: string[] = [];
  const masks = space ? nestedFloatMask(space, params) : {};
  for (const [key, value] of Object.entries(config)) {
    const text = formatArgValue(value, (masks as Record<string, FloatMask>)[key]);
    switch (name) {
      case "args":
        out.push(`--${key}=${text}`);
        break;
      case "args_no_hyphens":
        out.push(`${key}=${text}`);
        break;
      case "args_no_boolean_flags":
        // W&B: `--flag` for true, nothing for false, `--key=value` otherwise.
        if (value === true) out.push(`--${key}`);
        else if (value !== false) out.push(`--${key}=${text}`);
        break;
      case "args_no_equals":
        out.push(`--${key}`, text);
        break;
    }
  }
  return out;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** First directory on `PATH` holding an executable `name`, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (dir !== "" && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * `${interpreter}`: W&B always says `python`. We say `node` (this very binary) for .js/.mjs/.cjs programs,
 * and for anything else `python` when it is on PATH, else `python3` (many Linux systems ship only that).
 */
export function resolveInterpreter(program: string | undefined, env: NodeJS.ProcessEnv): string {
  const ext = program ? extname(program).toLowerCase() : "";
  if (ext === ".js" || ext === ".mjs" || ext === ".cjs") return process.execPath;
  if (findOnPath("python", env)) return "python";
  if (findOnPath("python3", env)) return "python3";
  return "python";
}

const MACRO_PATTERN = /\$\{([^}]*)\}/g;

/** Expands the template into the argv to spawn (argv[0] is the executable). */
export function buildCommand(input: CommandInput): string[] {
  return expandCommand(input).argv;
}

/**
 * Indices of the argv elements that `buildCommand(input)` builds from `${envvar:NAME}` macros: values
 * the trainer gets but logs must not show. Pure: the same input gives the same argv and indices. Pass
 * them to `redactArgv(argv, { secretIndices })` (config/secrets.ts) before logging an argv.
 */
export function secretArgvIndices(input: CommandInput): number[] {
  return expandCommand(input).secretIndices;
}

function expandCommand(input: CommandInput): { argv: string[]; secretIndices: number[] } {
  const template = input.template && input.template.length > 0 ? input.template : DEFAULT_COMMAND;
  const platform = input.platform ?? process.platform;
  let usedEnvvar = false;

  const scalar = (name: string, token: string): string | null => {
    switch (name) {
      case "env":
        // W&B drops `${env}` on Windows, where /usr/bin/env does not exist.
        return platform === "win32" ? null : "/usr/bin/env";
      case "interpreter":
        return input.interpreter ?? resolveInterpreter(input.program, input.env);
      case "program":
        if (!input.program) throw new CommandError(`the command token ${JSON.stringify(token)} uses \${program}, but the sweep file has no \`program:\``);
        return input.program;
      case "args_json":
        return formatArgsJson(input.config, input.params, input.space);
      case "args_json_file":
        return input.argsJsonFile;
    }
    if (name.startsWith(ENVVAR_MACRO_PREFIX)) {
      const varName = name.slice(ENVVAR_MACRO_PREFIX.length);
      const value = input.env[varName];
      if (value === undefined) {
        throw new CommandError(`the command token ${JSON.stringify(token)} uses \${envvar:${varName}}, but ${varName} is not set in the environment`);
      }
      usedEnvvar = true;
      return value;
    }
    const known = [...LIST_MACROS, ...SCALAR_MACROS, "envvar:NAME"].map((m) => `\${${m}}`).join(", ");
    throw new CommandError(`the command token ${JSON.stringify(token)} uses an unknown macro \${${name}}; expected one of ${known}`);
  };

  const argv: string[] = [];
  const secretIndices: number[] = [];
  for (const token of template) {
    const whole = /^\$\{([^}]*)\}$/.exec(token);
    if (whole && (LIST_MACROS as readonly string[]).includes(whole[1]!)) {
      argv.push(...listMacro(whole[1] as (typeof LIST_MACROS)[number], input.config, input.params, input.space));
      continue;
    }
    usedEnvvar = false;
    if (whole) {
      const value = scalar(whole[1]!, token);
      if (value !== null) argv.push(value);
    } else {
      const expanded = token.replace(MACRO_PATTERN, (_m, name: string) => {
        if ((LIST_MACROS as readonly string[]).includes(name)) {
          throw new CommandError(`the command token ${JSON.stringify(token)} embeds \${${name}}, which expands to several arguments; put it in a token of its own`);
        }
        return scalar(name, token) ?? "";
      });
      argv.push(expanded);
    }
    if (usedEnvvar) secretIndices.push(argv.length - 1);
  }
  if (argv.length === 0) throw new CommandError(`the command ${JSON.stringify(template)} expands to nothing; expected at least a program to run`);
  return { argv, secretIndices };
}
