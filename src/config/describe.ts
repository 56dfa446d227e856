/** One aligned line per parameter, as `sweep validate` prints the resolved search space. */
import type { Distribution, SearchSpace } from "../space/types.js";
import { escapeControl } from "../terminal-text.js";
import { formatNumber as n } from "./numbers.js";

/** e.g. `lr            log_uniform_values  1e-6 .. 1e-4`. Values are shown with control characters escaped. */
export function describeSpace(space: SearchSpace): string[] {
  const nameWidth = Math.max(12, ...space.params.map((p) => p.name.length)) + 2;
  const kindWidth = Math.max(...space.params.map((p) => p.dist.kind.length), 0) + 2;
  return space.params.map((p) =>
    `${p.name.padEnd(nameWidth)}${p.dist.kind.padEnd(kindWidth)}${describeDistribution(p.dist)}`.trimEnd(),
  );
}

/** The distribution's parameters in the notation of the sweep file. */
export function describeDistribution(d: Distribution): string {
  switch (d.kind) {
    case "constant":
      return `= ${showValue(d.value)}`;
    case "categorical":
      return `[${d.values
        .map((v, i) => (d.probabilities ? `${showValue(v)} (p=${n(d.probabilities[i]!)})` : showValue(v)))
        .join(", ")}]`;
    case "int_uniform":
    case "uniform":
    case "log_uniform_values":
    case "inv_log_uniform_values":
      return `${n(d.min)} .. ${n(d.max)}`;
    case "log_uniform":
      return `exp(${n(d.min)}) .. exp(${n(d.max)})  (= ${n(Math.exp(d.min))} .. ${n(Math.exp(d.max))})`;
    case "inv_log_uniform":
      return `exp(-${n(d.max)}) .. exp(-${n(d.min)})  (= ${n(Math.exp(-d.max))} .. ${n(Math.exp(-d.min))})`;
    case "q_uniform":
    case "q_log_uniform_values":
      return `${n(d.min)} .. ${n(d.max)} step ${n(d.q)}`;
    case "q_log_uniform":
      return `exp(${n(d.min)}) .. exp(${n(d.max)}) step ${n(d.q)}`;
    case "normal":
    case "log_normal":
      return `mu ${n(d.mu)}, sigma ${n(d.sigma)}`;
    case "q_normal":
    case "q_log_normal":
      return `mu ${n(d.mu)}, sigma ${n(d.sigma)} step ${n(d.q)}`;
    case "beta":
      return `a ${n(d.a)}, b ${n(d.b)}`;
  }
}

/** Strings bare (`adamw`), numbers short (`1e-5`), anything else as JSON; one line, fit for a terminal. */
function showValue(value: unknown): string {
  if (typeof value === "string") return escapeControl(value);
  if (typeof value === "number") return n(value);
  return escapeControl(JSON.stringify(value));
}
