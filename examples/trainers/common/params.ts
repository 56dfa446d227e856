/**
 * Trainer hyperparameters from the command line (W&B style `--key=value`, or `--key value`) and from the
 * SWEEP_PARAMS environment variable (a JSON object), the command line winning. Shared by the example
 * trainers, each of which only declares its table of parameters. Every problem is a UsageError, which the
 * entry points turn into exit code 2, the usual code for bad usage.
 */

export class UsageError extends Error {
  override readonly name = "UsageError";
}

export const PARAMS_ENV = "SWEEP_PARAMS";

export type ParamValue = number | string | boolean | undefined;

export interface ParamSpec<Paths> {
  readonly help: string;
  /** Shown in --help; also the value used when the parameter is not given (undefined = optional, none). */
  readonly defaultValue: (paths: Paths) => string | undefined;
  readonly parse: (raw: string) => ParamValue | Error;
}

export type ParamSpecs<Paths> = Readonly<Record<string, ParamSpec<Paths>>>;

/** A parser for a finite number passing `check`; the error says what was `expected`. */
export function number(check: (n: number) => boolean, expected: string): (raw: string) => ParamValue | Error {
  return (raw) => {
    const n = raw.trim() === "" ? Number.NaN : Number(raw);
    return Number.isFinite(n) && check(n) ? n : new Error(`expected ${expected}`);
  };
}

/** A parser for `true`/`false` (also 1/0). */
export function boolean(raw: string): ParamValue | Error {
  // `${args}` writes booleans as Python does (`--pure_js=True`), W&B-style; people type `true`.
  const text = raw.toLowerCase();
  if (text === "true" || text === "1") return true;
  if (text === "false" || text === "0") return false;
  return new Error("expected true or false (True and False as W&B writes them are fine)");
}

/** A parser for one of `names`. */
export function oneOf(names: readonly string[]): (raw: string) => ParamValue | Error {
  return (raw) => (names.includes(raw) ? raw : new Error(`expected one of ${names.join(", ")}`));
}

/** A parser for a (non-empty) file path. */
export function filePath(raw: string): ParamValue | Error {
  return raw === "" ? new Error("expected a file path") : raw;
}

/** Whether argv asks for help (checked before parsing, so `--help` works alongside bad arguments). */
export function wantsHelp(argv: readonly string[]): boolean {
  return argv.some((a) => a === "--help" || a === "-h");
}

export function usageText<Paths>(specs: ParamSpecs<Paths>, paths: Paths): string {
  const lines = ["usage: train.js [--key=value | --key value] ...", "", `parameters (also read from $${PARAMS_ENV} as a JSON object):`];
  for (const [key, spec] of Object.entries(specs)) {
    const def = spec.defaultValue(paths);
    lines.push(`  --${key.padEnd(15)} ${spec.help}${def === undefined ? "" : ` (default ${def})`}`);
  }
  return lines.join("\n");
}

/** Every parameter of `specs`, parsed: given on the command line, else in SWEEP_PARAMS, else its default. */
export function parseParams<Paths>(
  specs: ParamSpecs<Paths>,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  paths: Paths,
): Record<string, ParamValue> {
  // Raw values by key, each with where it came from for error messages; argv is applied last so it wins.
  const raw = new Map<string, { value: string; source: string }>();
  for (const [key, value] of Object.entries(readEnvParams(env))) {
    raw.set(checkKey(specs, key, `${PARAMS_ENV} key ${JSON.stringify(key)}`), { value, source: `${PARAMS_ENV}.${key}` });
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith("--") || token === "--") {
      throw new UsageError(`unexpected argument ${JSON.stringify(token)}; expected --key=value or --key value`);
    }
    const eq = token.indexOf("=");
    const name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
    const key = checkKey(specs, name, `argument ${JSON.stringify(eq >= 0 ? token.slice(0, eq) : token)}`);
    let value: string;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`argument "--${name}" needs a value`);
      value = next;
      i++;
    }
    raw.set(key, { value, source: `--${name}` });
  }

  const values: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const given = raw.get(key);
    const text = given?.value ?? spec.defaultValue(paths);
    if (text === undefined) continue;
    const parsed = spec.parse(text);
    if (parsed instanceof Error) {
      throw new UsageError(`${given?.source ?? `default --${key}`} = ${JSON.stringify(text)} is invalid: ${parsed.message}`);
    }
    values[key] = parsed;
  }
  return values;
}

/** SWEEP_PARAMS as key -> string (numbers stay exact: String() of a double round-trips). */
function readEnvParams(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const text = env[PARAMS_ENV];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${PARAMS_ENV} is not valid JSON (${(err as Error).message}): ${JSON.stringify(text)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`${PARAMS_ENV} must be a JSON object of parameters, got ${JSON.stringify(text)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean") {
      throw new UsageError(`${PARAMS_ENV}.${key} must be a number, string or boolean, got ${JSON.stringify(value)}`);
    }
    out[key] = String(value);
  }
  return out;
}

/** Accept `batch-size` as `batch_size`; anything unknown is an error with a did-you-mean. */
function checkKey<Paths>(specs: ParamSpecs<Paths>, name: string, what: string): string {
  const key = name.replace(/-/g, "_");
  if (Object.hasOwn(specs, key)) return key;
  const known = Object.keys(specs);
  const closest = known.map((k) => ({ k, d: editDistance(key, k) })).sort((a, b) => a.d - b.d)[0];
  const hint = closest && closest.d <= 2 ? ` (did you mean --${closest.k}?)` : "";
  throw new UsageError(`unknown ${what}${hint}; known parameters: ${known.map((k) => `--${k}`).join(", ")}`);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
