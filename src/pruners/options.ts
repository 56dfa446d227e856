/**
 * Checking pruner options, from the sweep file's `sweep.pruner` block or from library callers, with errors
 * that quote the bad value and say what was expected (the sweep file is written by hand; a typo must not
 * silently become "no pruning").
 */

/** A pruner option that cannot be used. `path` is where it sits, e.g. `sweep.pruner.reduction_factor`. */
export class PrunerConfigError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly found: string,
    message?: string,
  ) {
    super(message ?? `${path}: expected ${expected}, found ${found}`);
    this.name = "PrunerConfigError";
  }
}

/** How a value is quoted in an error: JSON for plain data, so strings show their quotes. */
export function quote(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface NumberRule {
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly above?: number;
}

/** The value itself when it is a finite number obeying `rule`; throws `PrunerConfigError` otherwise. */
export function checkNumber(path: string, value: unknown, rule: NumberRule): number {
  const expected = describeRule(rule);
  if (typeof value !== "number" || !Number.isFinite(value)) throw new PrunerConfigError(path, expected, quote(value));
  if (rule.integer && !Number.isInteger(value)) throw new PrunerConfigError(path, expected, quote(value));
  if (rule.min !== undefined && value < rule.min) throw new PrunerConfigError(path, expected, quote(value));
  if (rule.above !== undefined && value <= rule.above) throw new PrunerConfigError(path, expected, quote(value));
  return value;
}

/** `checkNumber` for an optional option: undefined stays undefined. */
export function checkOptionalNumber(path: string, value: unknown, rule: NumberRule): number | undefined {
  return value === undefined ? undefined : checkNumber(path, value, rule);
}

export function checkBoolean(path: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new PrunerConfigError(path, "true or false", quote(value));
  return value;
}

/** Reject keys a rule does not know, naming the ones it does (a misspelt option must not be ignored). */
export function checkKeys(path: string, block: Readonly<Record<string, unknown>>, known: readonly string[]): void {
  for (const key of Object.keys(block)) {
    if (!known.includes(key)) {
      throw new PrunerConfigError(
        `${path}.${key}`,
        `one of ${known.map((k) => `"${k}"`).join(", ")}`,
        quote(key),
        `${path}: unknown option ${quote(key)}; expected one of ${known.map((k) => `"${k}"`).join(", ")}`,
      );
    }
  }
}

function describeRule(rule: NumberRule): string {
  const kind = rule.integer ? "an integer" : "a number";
  if (rule.min !== undefined) return `${kind} >= ${rule.min}`;
  if (rule.above !== undefined) return `${kind} > ${rule.above}`;
  return kind;
}
