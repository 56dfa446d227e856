/**
 * One leaf parameter of a sweep file -> a `Distribution`: picks the kind (explicit `distribution:`, or
 * inferred from the keys as W&B does), checks the keys that kind reads, fills W&B's defaults, and checks
 * the values (bounds ordered, positive where a logarithm is taken, probabilities summing to 1).
 */
import { isScalar, isSeq, type YAMLMap } from "yaml";
import type { Distribution, DistributionKind } from "../space/types.js";
import { describeFound, type Checker, type Entry } from "./checker.js";
import {
  DISTRIBUTIONS,
  DISTRIBUTION_ALIASES,
  DISTRIBUTION_KINDS,
  EXPONENT_BOUND_KINDS,
  PARAMETER_KEYS,
  POSITIVE_BOUND_KINDS,
  type NumericParameterKey,
  type ParameterKey,
} from "./keys.js";
import { formatNumber } from "./numbers.js";
import { isIntegerLiteral, plainValue, readList, readNumber, readString, type NumberRule } from "./read.js";
import { suggest } from "./suggest.js";

/** Allowed slack when checking that probabilities sum to 1 (floating-point decimals such as 0.1 + 0.2). */
const PROBABILITY_SUM_TOLERANCE = 1e-6;

/** Above this exponent a log_uniform samples values beyond 1e13: almost surely values written as exponents. */
const IMPLAUSIBLE_EXPONENT = 30;

type Fields = ReadonlyMap<ParameterKey, Entry>;

export function resolveDistribution(
  c: Checker,
  param: Entry,
  map: YAMLMap,
  entries: readonly Entry[],
): Distribution | undefined {
  const fields = new Map<ParameterKey, Entry>();
  let hadUnknownKeys = false;
  for (const entry of entries) {
    if (Object.hasOwn(PARAMETER_KEYS, entry.key)) {
      fields.set(entry.key as ParameterKey, entry);
    } else {
      c.unknownKey(entry, Object.keys(PARAMETER_KEYS));
      hadUnknownKeys = true;
    }
  }
  const kind = chooseKind(c, param, map, fields, hadUnknownKeys);
  if (kind === undefined) return undefined;

  const rule = DISTRIBUTIONS[kind];
  for (const [key, entry] of fields) {
    if (key === "distribution" || rule.keys.includes(key)) continue;
    c.unknownKey(entry, ["distribution", ...rule.keys], {
      why: `key "${key}" does not apply to distribution ${kind}${readersOf(key)}`,
      suggest: false,
    });
  }
  let complete = true;
  for (const key of rule.required) {
    if (!fields.has(key)) {
      c.missingKey(param.keyNode, param.path, key, `distribution ${kind} requires "${key}"`, {
        expected: `keys ${rule.required.join(", ")}`,
        found: entries.length === 0 ? "no keys" : `keys ${entries.map((e) => e.key).join(", ")}`,
      });
      complete = false;
    }
  }
  if (!complete) return undefined;

  if (kind === "constant") return { kind, value: plainValue(c, fields.get("value")!.value, fields.get("value")!.path) };
  if (kind === "categorical") return categorical(c, fields);
  return numeric(c, kind, fields);
}

/** The kind named by `distribution:`, or the one W&B infers from the keys present. */
function chooseKind(
  c: Checker,
  param: Entry,
  map: YAMLMap,
  fields: Fields,
  hadUnknownKeys: boolean,
): DistributionKind | undefined {
  const explicit = fields.get("distribution");
  if (explicit !== undefined) return readKind(c, explicit);

  const forms: string[] = [];
  if (fields.has("value")) forms.push('"value"');
  if (fields.has("values")) forms.push('"values"');
  if (fields.has("min") || fields.has("max")) forms.push('"min"/"max"');
  if (forms.length > 1) {
    c.error(map, param.path, `ambiguous parameter: it has both ${forms.join(" and ")}`, {
      expected: 'exactly one of "value", "values", or "min" and "max" (or an explicit "distribution")',
      found: forms.join(" and "),
    });
    return undefined;
  }
  if (fields.has("value")) return "constant";
  if (fields.has("values")) return "categorical";
  if (fields.has("min") || fields.has("max")) {
    // W&B: int_uniform when both bounds are Python ints, else uniform. A missing bound is reported later.
    const bounds = [fields.get("min"), fields.get("max")].filter((e): e is Entry => e !== undefined);
    return bounds.every((e) => isIntegerLiteral(e.value)) ? "int_uniform" : "uniform";
  }

  const needsDistribution = (["mu", "sigma", "a", "b", "q"] as const).find((k) => fields.has(k));
  if (needsDistribution !== undefined) {
    c.error(map, param.path, `"${needsDistribution}" needs an explicit "distribution"${readersOf(needsDistribution)}`, {
      expected: `"distribution" with "${needsDistribution}"`,
      found: `"${needsDistribution}" without "distribution"`,
    });
  } else if (fields.has("probabilities")) {
    c.error(map, param.path, '"probabilities" needs "values" (one probability per value)', {
      expected: '"values" with "probabilities"',
      found: '"probabilities" alone',
    });
  } else if (!hadUnknownKeys) {
    // With unknown keys, their did-you-mean already explains the problem better than this would.
    c.error(map, param.path, "cannot tell the distribution of this parameter", {
      expected: '"value", "values", "min" and "max", "distribution", or nested "parameters"',
      found: fields.size === 0 ? "no keys" : `keys ${[...fields.keys()].join(", ")}`,
    });
  }
  return undefined;
}

function readKind(c: Checker, entry: Entry): DistributionKind | undefined {
  const name = readString(c, entry.value, entry.path);
  if (name === undefined) return undefined;
  if ((DISTRIBUTION_KINDS as string[]).includes(name)) return name as DistributionKind;
  const alias = DISTRIBUTION_ALIASES[name];
  if (alias !== undefined) return alias;
  const expected = `one of ${DISTRIBUTION_KINDS.join(", ")}`;
  const message =
    name === "q_beta"
      ? 'distribution "q_beta" is not supported (W&B-only); use beta and round in the trainer'
      : `unknown distribution ${JSON.stringify(name)}`;
  const suggestion = suggest(name, DISTRIBUTION_KINDS);
  c.error(entry.value, entry.path, message, {
    expected,
    found: JSON.stringify(name),
    ...(suggestion !== undefined && name !== "q_beta" ? { suggestion } : {}),
  });
  return undefined;
}

/** " (it is read by q_uniform, q_log_uniform, ...)" — which kinds use a key, as a hint. */
function readersOf(key: ParameterKey): string {
  const kinds = DISTRIBUTION_KINDS.filter((k) => DISTRIBUTIONS[k].keys.includes(key));
  return kinds.length === 0 ? "" : ` ("${key}" is read by ${kinds.join(", ")})`;
}

function categorical(c: Checker, fields: Fields): Distribution | undefined {
  const valuesEntry = fields.get("values")!;
  const valuesNode = valuesEntry.value;
  if (!isSeq(valuesNode) || valuesNode.items.length === 0) {
    c.expected(valuesNode, valuesEntry.path, "a non-empty list", valuesEntry.keyNode);
    return undefined;
  }
  const values = valuesNode.items.map((item, i) => plainValue(c, c.resolve(item, valuesEntry.path), `${valuesEntry.path}[${i}]`));
  warnAboutValues(c, valuesEntry, values);

  const probabilitiesEntry = fields.get("probabilities");
  if (probabilitiesEntry === undefined) return { kind: "categorical", values };
  const probabilities = readProbabilities(c, probabilitiesEntry, values.length);
  return probabilities === undefined ? undefined : { kind: "categorical", values, probabilities };
}

function warnAboutValues(c: Checker, entry: Entry, values: readonly unknown[]): void {
  if (values.length === 1) {
    c.warning(entry.value, entry.path, `"values" has a single element; "value: ${JSON.stringify(values[0])}" says the same`);
  }
  const seen = new Set<string>();
  for (const value of values) {
    const key = JSON.stringify(value);
    if (seen.has(key)) {
      c.warning(entry.value, entry.path, `"values" lists ${key} more than once, which makes it more likely to be chosen`);
      break;
    }
    seen.add(key);
  }
}

function readProbabilities(c: Checker, entry: Entry, count: number): number[] | undefined {
  const probabilities = readList(c, entry.value, entry.path, "a list of numbers", (node, path) =>
    readNumber(c, node, path, { min: 0 }),
  );
  if (probabilities === undefined) return undefined;
  if (probabilities.length !== count) {
    c.error(entry.value, entry.path, `expected ${count} probabilities (one per value), found ${probabilities.length}`, {
      expected: `${count} probabilities`,
      found: String(probabilities.length),
    });
    return undefined;
  }
  const sum = probabilities.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > PROBABILITY_SUM_TOLERANCE) {
    c.error(entry.value, entry.path, `expected probabilities summing to 1, found a sum of ${formatNumber(sum)}`, {
      expected: "a sum of 1",
      found: formatNumber(sum),
    });
    return undefined;
  }
  return probabilities;
}

/** What each numeric key must satisfy for a kind (also used to generate the JSON Schema). */
export function numberRule(kind: DistributionKind, key: NumericParameterKey): NumberRule {
  if (key === "q" || key === "sigma" || key === "a" || key === "b") return { above: 0 };
  if (kind === "int_uniform" && (key === "min" || key === "max")) return { integer: true };
  if (POSITIVE_BOUND_KINDS.includes(kind) && key === "min") return { above: 0 };
  return {};
}

function numeric(c: Checker, kind: DistributionKind, fields: Fields): Distribution | undefined {
  const rule = DISTRIBUTIONS[kind];
  const numbers: Partial<Record<NumericParameterKey, number>> = { ...rule.defaults };
  let ok = true;
  for (const key of rule.keys as readonly NumericParameterKey[]) {
    const entry = fields.get(key);
    if (entry === undefined) continue;
    const value = readNumber(c, entry.value, entry.path, numberRule(kind, key));
    if (value === undefined) {
      ok = false;
      if (key === "min" && POSITIVE_BOUND_KINDS.includes(kind)) hintExponentBounds(c, kind, entry);
    } else if (kind === "int_uniform" && !isIntegerLiteral(entry.value)) {
      // W&B's schema checks int_uniform bounds with isinstance(value, int): 2.0 is a float there.
      const found = describeFound(entry.value);
      c.error(entry.value, entry.path, `expected an integer (int_uniform bounds are Python ints; write ${value}, or use distribution: uniform for real numbers), found ${found}`, {
        expected: "an integer",
        found,
      });
      ok = false;
    } else {
      numbers[key] = value;
    }
  }
  if (!ok) return undefined;

  const { min, max } = numbers;
  if (min !== undefined && max !== undefined) {
    const maxEntry = fields.get("max")!;
    if (min >= max) {
      c.error(maxEntry.value, maxEntry.path, `expected max > min (${formatNumber(min)}), found ${formatNumber(max)}`, {
        expected: `a number > ${formatNumber(min)}`,
        found: formatNumber(max),
      });
      return undefined;
    }
    warnAboutExponentBounds(c, kind, fields, min, max);
  }
  return { kind, ...numbers } as Distribution;
}

/** log_uniform_values with min <= 0 is usually exponents written under the wrong kind. */
function hintExponentBounds(c: Checker, kind: DistributionKind, entry: Entry): void {
  const exponentKind = Object.entries(EXPONENT_BOUND_KINDS).find(([, valuesKind]) => valuesKind === kind)?.[0];
  if (exponentKind === undefined || !isScalar(entry.value) || typeof entry.value.value !== "number") return;
  c.warning(
    entry.value,
    entry.path,
    `${kind} bounds are the values themselves and must be > 0; ` +
      `if these are natural-log exponents, use distribution: ${exponentKind}`,
  );
}

/**
 * log_uniform's bounds are natural-log exponents (as in W&B), a well-known trap: `min: 1e-5, max: 1e-3`
 * samples 1.00001 .. 1.001, not learning rates. Bounds in (0, 1] or exponents above 30 are almost
 * certainly values, so say what was probably meant.
 */
function warnAboutExponentBounds(c: Checker, kind: DistributionKind, fields: Fields, min: number, max: number): void {
  const valuesKind = EXPONENT_BOUND_KINDS[kind];
  if (valuesKind === undefined) return;
  const looksLikeValues = (min > 0 && max <= 1) || max > IMPLAUSIBLE_EXPONENT;
  if (!looksLikeValues) return;
  const distributionEntry = fields.get("distribution")!;
  const lo = kind === "inv_log_uniform" ? Math.exp(-max) : Math.exp(min);
  const hi = kind === "inv_log_uniform" ? Math.exp(-min) : Math.exp(max);
  c.warning(
    distributionEntry.value,
    distributionEntry.path,
    `${kind} bounds are natural-log exponents, so this samples ${formatNumber(lo)} .. ${formatNumber(hi)}; ` +
      `for values between ${formatNumber(min)} and ${formatNumber(max)} use distribution: ${valuesKind}`,
    { suggestion: valuesKind },
  );
}
