/**
 * Whether given parameter values (enqueued by hand, or a baseline config) belong to a search space: each
 * value must be one its distribution can produce (`contains`), and each name must be a parameter of the
 * space or carry its own distribution (a define-by-run parameter recorded with a trial).
 */
import { contains, describeValue } from "./distributions.js";
import type { Distribution, FlatParams, SearchSpace } from "./types.js";

export interface ParamCheckOptions {
  /** Distributions of parameters outside the declared space (define-by-run), by name. */
  readonly extra?: Readonly<Record<string, Distribution>>;
  /** Names outside the space and `extra` are accepted unchecked (a space with no declared parameters). */
  readonly allowUnknown?: boolean;
}

/** One message per problem, each naming the parameter, the value found and what was expected. */
export function paramProblems(space: SearchSpace, params: FlatParams, options: ParamCheckOptions = {}): string[] {
  const problems: string[] = [];
  const declared = new Map(space.params.map((p) => [p.name, p.dist] as const));
  for (const [name, value] of Object.entries(params)) {
    const dist = declared.get(name) ?? options.extra?.[name];
    if (dist === undefined) {
      if (options.allowUnknown) continue;
      const known = [...declared.keys()];
      problems.push(`parameter '${name}' is not in the sweep's space (its parameters: ${known.length > 0 ? known.join(", ") : "none"})`);
      continue;
    }
    if (!contains(dist, value)) problems.push(`parameter '${name}': ${describeValue(value)} is not ${expectedOf(dist)}`);
  }
  return problems;
}

/** What a distribution accepts, in words: "one of [\"adam\",\"sgd\"]", "a number in [1e-06, 0.0001]". */
export function expectedOf(dist: Distribution): string {
  switch (dist.kind) {
    case "constant":
      return `the constant ${describeValue(dist.value)}`;
    case "categorical":
      return `one of ${describeValue(dist.values)}`;
    case "int_uniform":
      return `an integer in [${dist.min}, ${dist.max}]`;
    case "uniform":
    case "log_uniform_values":
    case "inv_log_uniform_values":
      return `a number in [${dist.min}, ${dist.max}] (${dist.kind})`;
    case "q_uniform":
    case "q_log_uniform_values":
      return `a multiple of ${dist.q} in [${dist.min}, ${dist.max}] (${dist.kind})`;
    case "log_uniform":
    case "q_log_uniform":
      return `a number in [exp(${dist.min}), exp(${dist.max})] (${dist.kind})`;
    case "inv_log_uniform":
      return `a number in [exp(-${dist.max}), exp(-${dist.min})] (${dist.kind})`;
    case "beta":
      return "a number in [0, 1] (beta)";
    case "log_normal":
    case "q_log_normal":
      return `a positive number (${dist.kind})`;
    default:
      return `a finite number (${dist.kind})`;
  }
}
