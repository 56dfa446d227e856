/**
 * The document root of a sweep file -> `SweepConfig` + `SearchSpace`, with W&B's cross-key rules
 * (bayes and early_terminate need a metric, grid needs enumerable parameters) and defaults filled in.
 */
import { checkAlgorithmOptions } from "./algorithms.js";
import { defaultS, wandbHyperbandBands } from "../pruners/wandb-hyperband.js";
import { readdirSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import { commandUsesProgram, locateProgram, programCandidates, sweepFileDir } from "./program.js";
import type { SearchSpace } from "../space/types.js";
import { type Checker, type Entry, indexPath, joinPath } from "./checker.js";
import {
  COMMAND_MACROS,
  ENVVAR_MACRO_PREFIX,
  LIST_MACROS,
  SCALAR_MACROS,
  EARLY_TERMINATE_DEFAULTS,
  EARLY_TERMINATE_KEYS,
  GOALS,
  GRID_KINDS,
  METHODS,
  METRIC_KEYS,
  PARAMETER_KEYS,
  SWEEP_SETTING_KEYS,
  TOP_LEVEL_KEYS,
  WANDB_ONLY_METRIC_KEYS,
  WANDB_ONLY_TOP_LEVEL_KEYS,
  type EarlyTerminateKey,
  type MetricKey,
  type TopLevelKey,
} from "./keys.js";
import { resolveParameters, type ResolvedParameters } from "./parameters.js";
import { plainValue, readBoolean, readEnum, readList, readNumber, readString } from "./read.js";
import { readSweepSettings } from "./settings.js";
import { suggest } from "./suggest.js";
import type { EarlyTerminateSpec, MetricSpec, SweepConfig } from "./types.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface ValidatedSweep {
  readonly config: SweepConfig;
  readonly space: SearchSpace;
}

/** Validates the whole document; returns undefined only when the root is not a mapping at all. */
export function validateSweep(c: Checker): ValidatedSweep | undefined {
  const root = c.resolve(c.source.doc.contents, "");
  if (root === null || (isScalar(root) && root.value === null)) {
    c.error(0, "", "the sweep file is empty", { expected: 'a mapping with "method" and "parameters"', found: "nothing" });
    return undefined;
  }
  const map = c.map(root, "", 0, 'a mapping with "method", "parameters", ...');
  if (map === undefined) return undefined;

  const keys = topLevelEntries(c, map);
  const method = required(c, map, keys, "method", `one of ${METHODS.join(", ")}`, (e) =>
    readEnum(c, e.value, e.path, METHODS),
  );
  const metric = keys.metric && readMetric(c, keys.metric);
  const parameters = required(c, map, keys, "parameters", "a mapping of parameters", (e) =>
    resolveParameters(c, e.value, e.path, e.keyNode),
  );
  const earlyTerminate = keys.early_terminate && readEarlyTerminate(c, keys.early_terminate);
  const command = keys.command && readCommand(c, keys.command, keys.program !== undefined);
  const sweep = keys.sweep ? readSweepSettings(c, keys.sweep.value, keys.sweep.path, keys.sweep.keyNode, parameters?.params) : {};
  const strings = {} as Mutable<Pick<SweepConfig, "name" | "description" | "project" | "entity" | "program">>;
  for (const key of ["name", "description", "project", "entity", "program"] as const) {
    const entry = keys[key];
    const value = entry && readString(c, entry.value, entry.path, key !== "description");
    if (value !== undefined) strings[key] = value;
  }
  const runCap = keys.run_cap && readNumber(c, keys.run_cap.value, keys.run_cap.path, { integer: true, min: 1 });
  // Looked for last: a missing program file says nothing about the rest of the file, so the checks that
  // need an otherwise valid config (the algorithms' options) still run and every problem is listed at once.
  const checkProgram = () => {
    if (strings.program !== undefined && keys.program !== undefined) checkProgramExists(c, keys.program, strings.program, command);
  };

  if (method === "bayes" && keys.metric === undefined) {
    c.error(keys.method!.value, keys.method!.path, 'method "bayes" needs a "metric" to optimise', {
      expected: 'a "metric" block with a name',
      found: "no metric",
    });
  }
  if (keys.early_terminate !== undefined && keys.metric === undefined) {
    const { keyNode, path } = keys.early_terminate;
    c.error(keyNode, path, '"early_terminate" needs a "metric" to compare trials on', {
      expected: 'a "metric" block with a name',
      found: "no metric",
    });
  }
  if (method === "grid" && parameters !== undefined) checkGrid(c, parameters);

  if (method === undefined || parameters === undefined) {
    checkProgram();
    return undefined;
  }
  const config: SweepConfig = {
    ...strings,
    method,
    ...(metric !== undefined ? { metric } : {}),
    parameters: plainValue(c, keys.parameters!.value, keys.parameters!.path) as Record<string, unknown>,
    ...(command !== undefined ? { command } : {}),
    ...(earlyTerminate !== undefined ? { early_terminate: earlyTerminate } : {}),
    ...(runCap !== undefined ? { run_cap: runCap } : {}),
    sweep,
  };
  if (!c.hasErrors) checkAlgorithmOptions(c, config);
  checkProgram();
  return { config, space: { params: parameters.params } };
}

type TopLevelEntries = Partial<Record<TopLevelKey, Entry>>;

function topLevelEntries(c: Checker, map: YAMLMap): TopLevelEntries {
  const keys: TopLevelEntries = {};
  for (const entry of c.entries(map, "")) {
    if (Object.hasOwn(TOP_LEVEL_KEYS, entry.key)) {
      keys[entry.key as TopLevelKey] = entry;
    } else if (Object.hasOwn(WANDB_ONLY_TOP_LEVEL_KEYS, entry.key)) {
      c.warning(entry.keyNode, entry.path, `"${entry.key}" is a W&B-only key; ignored`);
    } else {
      reportUnknownTopLevelKey(c, entry);
    }
  }
  return keys;
}

/** Besides typos, catch settings and parameters written at the top level instead of in their block. */
function reportUnknownTopLevelKey(c: Checker, entry: Entry): void {
  const allowed = [...Object.keys(TOP_LEVEL_KEYS), ...Object.keys(WANDB_ONLY_TOP_LEVEL_KEYS)];
  if (suggest(entry.key, allowed) === undefined) {
    if (Object.hasOwn(SWEEP_SETTING_KEYS, entry.key)) {
      c.unknownKey(entry, allowed, {
        why: `unknown top-level key "${entry.key}" (settings of this tool go in the "sweep:" block)`,
        suggest: false,
      });
      return;
    }
    const looksLikeParameter =
      isMap(entry.value) &&
      entry.value.items.some((p) => isScalar(p.key) && Object.hasOwn(PARAMETER_KEYS, String(p.key.value)));
    if (looksLikeParameter) {
      c.unknownKey(entry, allowed, {
        why: `unknown top-level key "${entry.key}" (it looks like a parameter: parameters go under "parameters:")`,
        suggest: false,
      });
      return;
    }
  }
  c.unknownKey(entry, allowed);
}

/** Reads a required top-level key, reporting it as missing (at the document root) when absent. */
function required<T>(
  c: Checker,
  root: YAMLMap,
  keys: TopLevelEntries,
  key: TopLevelKey,
  expected: string,
  read: (entry: Entry) => T | undefined,
): T | undefined {
  const entry = keys[key];
  if (entry === undefined) {
    c.missingKey(root, "", key, `missing required key "${key}"`, { expected: `"${key}": ${expected}` });
    return undefined;
  }
  return read(entry);
}

function readMetric(c: Checker, entry: Entry): MetricSpec | undefined {
  if (isScalar(entry.value) && typeof entry.value.value === "string") {
    c.expected(entry.value, entry.path, `a mapping (write "metric: {name: ${entry.value.value}, goal: minimize}")`);
    return undefined;
  }
  const map = c.map(entry.value, entry.path, entry.keyNode, 'a mapping with "name" and "goal"');
  if (map === undefined) return undefined;
  const fields: Partial<Record<MetricKey, Entry>> = {};
  for (const field of c.entries(map, entry.path)) {
    if (Object.hasOwn(METRIC_KEYS, field.key)) fields[field.key as MetricKey] = field;
    else if (Object.hasOwn(WANDB_ONLY_METRIC_KEYS, field.key)) {
      c.warning(field.keyNode, field.path, `"${field.key}" is a W&B-only key; ignored`);
    } else c.unknownKey(field, [...Object.keys(METRIC_KEYS), ...Object.keys(WANDB_ONLY_METRIC_KEYS)]);
  }
  if (fields.name === undefined) {
    c.missingKey(map, entry.path, "name", 'missing required key "name"', { expected: '"name": the metric name' });
  }
  const name = fields.name && readString(c, fields.name.value, fields.name.path);
  const goal = fields.goal ? readEnum(c, fields.goal.value, fields.goal.path, GOALS) : "minimize";
  const target = fields.target && readNumber(c, fields.target.value, fields.target.path);
  if (name === undefined || goal === undefined) return undefined;
  return { name, goal, ...(target !== undefined ? { target } : {}) };
}

function readEarlyTerminate(c: Checker, entry: Entry): EarlyTerminateSpec | undefined {
  const map = c.map(entry.value, entry.path, entry.keyNode, 'a mapping with "type: hyperband" and "min_iter" or "max_iter"');
  if (map === undefined) return undefined;
  const f: Partial<Record<EarlyTerminateKey, Entry>> = {};
  for (const field of c.entries(map, entry.path)) {
    if (Object.hasOwn(EARLY_TERMINATE_KEYS, field.key)) f[field.key as EarlyTerminateKey] = field;
    else c.unknownKey(field, Object.keys(EARLY_TERMINATE_KEYS));
  }
  const positiveInt = { integer: true, min: 1 };
  const errorsBefore = c.diagnostics.length;
  if (f.type === undefined) {
    c.missingKey(map, entry.path, "type", 'missing required key "type"', { expected: '"type: hyperband"' });
  }
  const type = f.type && readEnum(c, f.type.value, f.type.path, ["hyperband"] as const);
  const minIter = f.min_iter && readNumber(c, f.min_iter.value, f.min_iter.path, positiveInt);
  const maxIter = f.max_iter && readNumber(c, f.max_iter.value, f.max_iter.path, positiveInt);
  const s = f.s && readNumber(c, f.s.value, f.s.path, positiveInt);
  const eta = f.eta ? readNumber(c, f.eta.value, f.eta.path, { above: 1 }) : EARLY_TERMINATE_DEFAULTS.eta;
  const strict = f.strict ? readBoolean(c, f.strict.value, f.strict.path) : EARLY_TERMINATE_DEFAULTS.strict;

  if (f.min_iter === undefined && f.max_iter === undefined) {
    c.error(map, entry.path, 'hyperband needs "min_iter" (first bracket) or "max_iter" with "s"', {
      expected: 'exactly one of "min_iter" or "max_iter"',
      found: "neither",
    });
  } else if (f.max_iter !== undefined && f.s === undefined && f.min_iter === undefined) {
    // W&B's schema requires "s" with "max_iter" (anyOf: [max_iter, s] or [min_iter]).
    c.error(f.max_iter.keyNode, f.max_iter.path, '"max_iter" needs "s" (the number of brackets below max_iter)', {
      expected: '"s": an integer >= 1',
      found: "nothing",
    });
  } else if (f.max_iter !== undefined && f.min_iter !== undefined) {
    // Valid for W&B's schema (through "min_iter"); W&B's code then takes the bands from max_iter and s.
    const maxEta = maxIter !== undefined && eta !== undefined && maxIter / eta >= 1;
    if (f.s === undefined) {
      const detail = maxEta ? ` with s = ${defaultS(maxIter!, eta!)} (bands ${wandbHyperbandBands({ maxIter, eta }).join(", ")})` : "";
      c.warning(f.max_iter.keyNode, f.max_iter.path,
        '"max_iter" and "min_iter" without "s": W&B\'s schema accepts this block (through "min_iter") but its hyperband code ' +
        `fails on the missing "s"; here "max_iter" wins, as in W&B's code, and "s" defaults to every band max_iter / eta^k >= 1${detail}; "min_iter" is ignored`);
    } else {
      const detail = maxEta && s !== undefined ? ` (bands ${wandbHyperbandBands({ maxIter, eta, s }).join(", ")})` : "";
      c.warning(f.min_iter.keyNode, f.min_iter.path, `"min_iter" is ignored: with "max_iter" and "s" the bands come from max_iter, as in W&B${detail}`);
    }
  } else if (f.min_iter !== undefined && f.s !== undefined) {
    c.warning(f.s.keyNode, f.s.path, '"s" is only used with "max_iter"; ignored with "min_iter"');
  }
  if (maxIter !== undefined && eta !== undefined && maxIter / eta < 1) {
    c.error(f.max_iter!.value, f.max_iter!.path, `max_iter ${maxIter} / eta ${eta} < 1 leaves no bracket`, {
      expected: `max_iter >= eta (${eta})`,
      found: String(maxIter),
    });
  }
  if (c.diagnostics.slice(errorsBefore).some((d) => d.severity === "error")) return undefined;
  if (type === undefined || eta === undefined || strict === undefined) return undefined;
  // max_iter wins over min_iter (W&B's code); "s" is written in, defaulted when only min_iter made the block valid.
  return {
    type,
    ...(minIter !== undefined && maxIter === undefined ? { min_iter: minIter } : {}),
    ...(maxIter !== undefined ? { max_iter: maxIter, s: s ?? defaultS(maxIter, eta) } : {}),
    eta,
    strict,
  };
}

/** A list of tokens; numbers are kept as written (`--epochs 3` in a flow list parses 3 as a number). */
function readCommand(c: Checker, entry: Entry, hasProgram: boolean): string[] | undefined {
  const tokens = readList(c, entry.value, entry.path, "a list of command tokens", (node, path) => {
    if (isScalar(node) && (typeof node.value === "string" || typeof node.value === "number")) {
      return typeof node.value === "string" ? node.value : (node.source ?? String(node.value));
    }
    c.expected(node, path, "a string");
    return undefined;
  }, entry.keyNode);
  if (tokens === undefined || !isSeq(entry.value)) return tokens;
  if (tokens.length === 0) {
    c.expected(entry.value, entry.path, "a non-empty list of command tokens");
    return undefined;
  }
  tokens.forEach((token, i) => checkMacros(c, entry.value as Node, indexPath(entry.path, i), token, hasProgram, i));
  return tokens;
}

function checkMacros(c: Checker, list: Node, path: string, token: string, hasProgram: boolean, index: number): void {
  const node = isSeq(list) ? (list.items[index] as Node) : list;
  const known = new Set<string>([...SCALAR_MACROS, ...LIST_MACROS]);
  for (const match of token.matchAll(/\$\{([^}]*)\}/g)) {
    const macro = match[1]!;
    if (macro.startsWith(ENVVAR_MACRO_PREFIX) && macro.length > ENVVAR_MACRO_PREFIX.length) continue;
    // The runner refuses these when it launches a trial; say so now rather than after the first failures.
    if (!known.has(macro)) {
      const suggestion = suggest(macro, COMMAND_MACROS);
      c.error(node, path, `unknown macro \${${macro}}`, {
        expected: COMMAND_MACROS.map((m) => `\${${m}}`).join(" "),
        found: `\${${macro}}`,
        ...(suggestion !== undefined ? { suggestion: `\${${suggestion}}` } : {}),
      });
    } else if (macro === "program" && !hasProgram) {
      c.error(node, path, '${program} is used but the sweep file has no "program"', { expected: 'a "program" key', found: "none" });
    }
  }
}

function checkGrid(c: Checker, parameters: ResolvedParameters): void {
  for (const param of parameters.params) {
    const source = parameters.sources.get(param.name)!;
    if (!GRID_KINDS.includes(param.dist.kind)) {
      const found = `a continuous ${param.dist.kind} distribution`;
      c.error(source.node, source.path, `grid search cannot enumerate ${found}`, {
        expected: 'values, an integer range (int_uniform) or a quantised range (q_uniform)',
        found,
      });
    } else if (param.dist.kind === "categorical" && param.dist.probabilities !== undefined) {
      const probabilities = isMap(source.node) ? source.node.get("probabilities", true) : undefined;
      c.warning((probabilities as Node | undefined) ?? source.node, joinPath(source.path, "probabilities"),
        "grid search tries every value once; probabilities are ignored");
    }
  }
}

/**
 * A `program:` that the command runs must exist where launch will look for it (program.ts): in the sweep
 * file's folder or the current directory. Only for a sweep read from a file; a config given as an object
 * (the library) has no folder to look in, and its program may live on the host that runs it.
 */
function checkProgramExists(c: Checker, entry: Entry, program: string, command: readonly string[] | undefined): void {
  const file = c.source.file;
  if (file === undefined || !commandUsesProgram(command)) return;
  const search = { sweepFileDir: sweepFileDir(file), cwd: process.cwd() };
  if (locateProgram(program, search) !== undefined) return;
  const places = programCandidates(program, search).map((p) => `${p.path} (${p.base})`);
  const suggestion = programSuggestion(program, search.sweepFileDir);
  c.error(entry.value, entry.path, `program ${JSON.stringify(program)} is not a file: looked for ${places.join(", then ")}`, {
    expected: "a file, relative to the sweep file's folder or the current directory, or an absolute path",
    found: "no such file",
    ...(suggestion !== undefined ? { suggestion } : {}),
  });
}

/** A file of the same folder whose name is close to the misspelt one (`trian.py` -> `train.py`). */
function programSuggestion(program: string, dir: string): string | undefined {
  const folder = dirname(resolve(dir, program));
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return undefined;
  }
  const close = suggest(basename(program), names);
  return close === undefined ? undefined : join(dirname(program), close).replace(/^\.\//, "");
}
