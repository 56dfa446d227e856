/**
 * The search space: one entry per leaf parameter of a sweep file.
 *
 * Nested W&B parameters (a parameter with its own `parameters:` block) are flattened to dotted names
 * (`optimizer.lr`) with their original key path kept in `path`, so samplers work on a flat list while the
 * trial config handed to a trainer can be rebuilt as nested objects (see `unflattenParams`).
 */

/** Every W&B distribution, as data. Bounds are as written in the sweep file (log_uniform: natural-log exponents). */
export type Distribution =
  | { kind: "constant"; value: unknown }
  | { kind: "categorical"; values: readonly unknown[]; probabilities?: readonly number[] }
  | { kind: "int_uniform"; min: number; max: number }
  | { kind: "uniform"; min: number; max: number }
  | { kind: "q_uniform"; min: number; max: number; q: number }
  | { kind: "log_uniform"; min: number; max: number }
  | { kind: "log_uniform_values"; min: number; max: number }
  | { kind: "q_log_uniform"; min: number; max: number; q: number }
  | { kind: "q_log_uniform_values"; min: number; max: number; q: number }
  | { kind: "inv_log_uniform"; min: number; max: number }
  | { kind: "inv_log_uniform_values"; min: number; max: number }
  | { kind: "normal"; mu: number; sigma: number }
  | { kind: "q_normal"; mu: number; sigma: number; q: number }
  | { kind: "log_normal"; mu: number; sigma: number }
  | { kind: "q_log_normal"; mu: number; sigma: number; q: number }
  | { kind: "beta"; a: number; b: number };

export type DistributionKind = Distribution["kind"];

export interface ParamSpec {
  /** Dotted name, unique in the space: `lr`, `optimizer.lr`. */
  readonly name: string;
  /** Key path in the nested trial config: `["optimizer", "lr"]`. */
  readonly path: readonly string[];
  readonly dist: Distribution;
}

export interface SearchSpace {
  /** In sweep-file order; grid enumeration and seeded sampling depend on this order being stable. */
  readonly params: readonly ParamSpec[];
}

/** Flat trial parameters: dotted name -> value (JSON-serialisable). */
export type FlatParams = Record<string, unknown>;

/** A uniform random source on [0, 1). Created from a seed with `createRng` so sweeps are reproducible. */
export type Rng = () => number;
