/**
 * One key style for every JSON document the `sweep` command prints: snake_case (docs/cli.md, "JSON output").
 * The TypeScript records behind the output are camelCase, as TypeScript code is; the commands convert their
 * keys here, at the edge, so a new field cannot bring a second style into the output.
 *
 * Keys that are names a user chose (parameter names, metric names, a sampler's options) are data, not
 * fields: they are kept exactly as written, so `params.learningRate` stays `learningRate`.
 */

/** Objects whose own keys are user names; their values are converted (a nested parameter spec has fields). */
const USER_NAMED_KEYS = new Set(["parameters"]);
/** Objects whose keys and contents are the user's, kept whole: params, metrics, a sampler's or pruner's options. */
const USER_DATA = new Set(["params", "metrics", "sampler", "pruner"]);

/** `durationSeconds` → `duration_seconds`, `pidStartTime` → `pid_start_time`; snake_case keys stay as they are. */
export function snakeCase(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

/** A copy of `value` whose object keys are snake_case, user names (see above) excepted. */
export function snakeCaseKeys(value: unknown): unknown {
  return convert(value, "fields");
}

function convert(value: unknown, keys: "fields" | "user"): unknown {
  if (Array.isArray(value)) return value.map((v) => convert(v, "fields"));
  if (value === null || typeof value !== "object" || !isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (keys === "user") {
      out[key] = convert(v, "fields");
      continue;
    }
    const name = snakeCase(key);
    out[name] = USER_DATA.has(name) ? v : convert(v, USER_NAMED_KEYS.has(name) ? "user" : "fields");
  }
  return out;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Whether a key is snake_case: lower-case words of letters and digits joined by single underscores. */
export function isSnakeCase(key: string): boolean {
  return /^[a-z0-9]+(_[a-z0-9]+)*$/.test(key);
}
